using System.Buffers;
using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// Removes the usage-only chunk from an OpenAI stream on its way to a client that did not ask for it.
/// </summary>
/// <remarks>
/// <para>The gateway sets <c>stream_options.include_usage</c> on every streamed OpenAI request so that
/// it can count tokens; OpenAI then sends one extra event before <c>data: [DONE]</c> whose
/// <c>choices</c> is empty and whose <c>usage</c> is set (API reference, "stream_options"). A client
/// that did not ask for it may not expect a chunk without choices, so the gateway puts this filter in
/// the client's byte path in that case only.</para>
/// <para>Every byte except those of complete usage-only events is written through exactly as it came.
/// Complete events are never delayed: only an event cut by the chunk boundary (the bytes after the
/// last blank line) is held until its end arrives, and one that grows past
/// <see cref="MaxHeldBytes"/> — far beyond any usage chunk — is released and passed on as it flows.
/// Chunks whose usage rides on a chunk with choices (OpenRouter) are kept whole: removing the field
/// would mean rewriting the event.</para>
/// <para>The filter does no accounting. The gateway feeds the upstream's bytes, unfiltered, to its
/// <see cref="StreamAccountant"/> as well, so the usage is counted even though the client never sees it.
/// Call <see cref="Complete"/> when the upstream ends. Not thread-safe: one stream, one reader loop.</para>
/// </remarks>
public sealed class OpenAIUsageChunkFilter : IDisposable
{
    private const int MaxHeldBytes = 64 * 1024;

    private byte[] _held = [];
    private int _heldLength;

    // The event in progress outgrew MaxHeldBytes and its bytes go straight out until it ends.
    private bool _passingThrough;

    // Line-end scanning state carried across chunks (SSE lines end in CRLF, LF or CR).
    private bool _atLineStart = true;
    private bool _lastWasCr;

    // An event ended in a CR that closed its chunk: a LF opening the next chunk belongs to that event,
    // to be written or dropped with it.
    private PendingLf _pendingLf;

    /// <summary>Writes <paramref name="chunk"/> to <paramref name="output"/> minus complete usage-only events.</summary>
    public void Filter(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var runStart = 0;   // first byte of the chunk not yet written, dropped or held
        var eventStart = 0; // first byte of the chunk that belongs to the event being scanned
        var p = 0;
        if (_pendingLf != PendingLf.None && !chunk.IsEmpty)
        {
            if (chunk[0] == (byte)'\n')
            {
                _lastWasCr = false;
                if (_pendingLf == PendingLf.Drop)
                {
                    chunk = chunk[1..];
                }
                else
                {
                    eventStart = p = 1;
                }
            }

            _pendingLf = PendingLf.None;
        }

        while (p < chunk.Length)
        {
            if (_lastWasCr)
            {
                _lastWasCr = false;
                if (chunk[p] == (byte)'\n')
                {
                    p++;
                    continue;
                }
            }

            if (!_atLineStart)
            {
                var end = chunk[p..].IndexOfAny((byte)'\r', (byte)'\n');
                if (end < 0)
                {
                    break;
                }

                p += end;
                _atLineStart = true;
                _lastWasCr = chunk[p] == (byte)'\r';
                p++;
                continue;
            }

            var b = chunk[p];
            if (b != (byte)'\r' && b != (byte)'\n')
            {
                _atLineStart = false;
                continue;
            }

            // An empty line: the event ends with this line end.
            p++;
            var endsInBareCr = false;
            if (b == (byte)'\r')
            {
                if (p == chunk.Length)
                {
                    _lastWasCr = true;
                    endsInBareCr = true;
                    _pendingLf = PendingLf.Keep;
                }
                else if (chunk[p] == (byte)'\n')
                {
                    p++;
                }
            }

            if (_passingThrough)
            {
                // Its earlier bytes are already out; the rest stays in the run.
                _passingThrough = false;
            }
            else if (_heldLength > 0)
            {
                // Held bytes always begin the chunk's first event, so nothing of this chunk precedes them.
                Hold(chunk[eventStart..p]);
                var held = _held.AsSpan(0, _heldLength);
                if (IsUsageOnly(held))
                {
                    _pendingLf = endsInBareCr ? PendingLf.Drop : PendingLf.None;
                }
                else
                {
                    output.Write(held);
                }

                _heldLength = 0;
                runStart = p;
            }
            else if (IsUsageOnly(chunk[eventStart..p]))
            {
                Write(chunk[runStart..eventStart], output);
                runStart = p;
                _pendingLf = endsInBareCr ? PendingLf.Drop : PendingLf.None;
            }

            eventStart = p;
        }

        if (_passingThrough)
        {
            Write(chunk[runStart..], output);
            return;
        }

        Write(chunk[runStart..eventStart], output);
        var tail = chunk[eventStart..];
        if (tail.IsEmpty)
        {
            return;
        }

        if (_heldLength + tail.Length > MaxHeldBytes)
        {
            Write(_held.AsSpan(0, _heldLength), output);
            Write(tail, output);
            _heldLength = 0;
            _passingThrough = true;
        }
        else
        {
            Hold(tail);
        }
    }

    /// <summary>
    /// The upstream ended: writes out an unfinished event still held (unless it is a usage-only one),
    /// so that no byte the client would have seen is lost.
    /// </summary>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_heldLength > 0 && !IsUsageOnly(_held.AsSpan(0, _heldLength)))
        {
            output.Write(_held.AsSpan(0, _heldLength));
        }

        _heldLength = 0;
        _passingThrough = false;
        _atLineStart = true;
        _lastWasCr = false;
        _pendingLf = PendingLf.None;
    }

    public void Dispose()
    {
        _heldLength = 0;
        if (_held.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_held);
            _held = [];
        }
    }

    /// <summary>True for one complete event whose data is a chunk with no (or empty) <c>choices</c> and a <c>usage</c> object.</summary>
    internal static bool IsUsageOnly(ReadOnlySpan<byte> sseEvent)
    {
        // Cheap rejection first. With include_usage OpenAI writes "usage":null into every chunk, so
        // most events pass this and are decided by the parse below.
        if (sseEvent.IndexOf("\"usage\""u8) < 0)
        {
            return false;
        }

        scoped ReadOnlySpan<byte> data = default;
        var dataLines = 0;
        var joinedLength = 0;
        var rest = sseEvent;
        while (!rest.IsEmpty)
        {
            if (TryGetData(NextLine(ref rest), out var value))
            {
                data = dataLines == 0 ? value : data;
                dataLines++;
                joinedLength += value.Length + 1;
            }
        }

        if (dataLines <= 1)
        {
            return dataLines == 1 && IsUsageOnlyChunk(data);
        }

        // Several data: lines are joined with LF (WHATWG "dispatch the event"); rare, so rent.
        var joined = ArrayPool<byte>.Shared.Rent(joinedLength);
        try
        {
            var length = 0;
            rest = sseEvent;
            while (!rest.IsEmpty)
            {
                if (TryGetData(NextLine(ref rest), out var value))
                {
                    if (length > 0)
                    {
                        joined[length++] = (byte)'\n';
                    }

                    value.CopyTo(joined.AsSpan(length));
                    length += value.Length;
                }
            }

            return IsUsageOnlyChunk(joined.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private static bool IsUsageOnlyChunk(ReadOnlySpan<byte> json)
    {
        var first = json.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || json[first] != (byte)'{')
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            var hasUsage = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.EndArray)
                        {
                            return false;
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    hasUsage = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                }
                else
                {
                    JsonFields.SkipValue(ref reader);
                }
            }

            return hasUsage;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
        if (end < 0)
        {
            var whole = rest;
            rest = default;
            return whole;
        }

        var line = rest[..end];
        var next = end + 1;
        if (rest[end] == (byte)'\r' && next < rest.Length && rest[next] == (byte)'\n')
        {
            next++;
        }

        rest = rest[next..];
        return line;
    }

    private static bool TryGetData(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!line.StartsWith("data"u8))
        {
            return false;
        }

        if (line.Length == 4)
        {
            return true;
        }

        if (line[4] != (byte)':')
        {
            return false;
        }

        value = line[5..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        return true;
    }

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        if (_heldLength + bytes.Length > _held.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(1024, _heldLength + bytes.Length));
            _held.AsSpan(0, _heldLength).CopyTo(grown);
            if (_held.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_held);
            }

            _held = grown;
        }

        bytes.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += bytes.Length;
    }

    private static void Write(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        if (!bytes.IsEmpty)
        {
            output.Write(bytes);
        }
    }

    private enum PendingLf
    {
        None,
        Keep,
        Drop,
    }
}
