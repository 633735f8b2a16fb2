using System.Buffers;

namespace Inflight.Protocols.Sse;

/// <summary>
/// Incremental Server-Sent Events parser over raw bytes as they arrive, split anywhere.
/// It never copies a complete line that arrived in one chunk; only a line cut by a chunk boundary
/// is carried over in a pooled buffer. Follows the WHATWG event-stream rules: lines end in LF, CRLF
/// or CR; ':' starts a comment; an empty line dispatches; an event with no data is not dispatched.
/// </summary>
public sealed class SseEventReader : IDisposable
{
    private const int MaxLineBytes = 16 * 1024 * 1024;

    private byte[] _carry = [];
    private int _carryLength;
    private byte[] _eventType = [];
    private int _eventTypeLength;
    private byte[] _data = [];
    private int _dataLength;
    private bool _hasData;
    private bool _lastWasCr;

    /// <summary>Feeds the next bytes of the stream; complete events go to <paramref name="handler"/>.</summary>
    public void Feed(ReadOnlySpan<byte> chunk, ISseEventHandler handler)
    {
        while (!chunk.IsEmpty)
        {
            if (_lastWasCr)
            {
                // A CR at the end of the previous chunk: a following LF belongs to the same line end.
                _lastWasCr = false;
                if (chunk[0] == (byte)'\n')
                {
                    chunk = chunk[1..];
                    continue;
                }
            }

            var end = chunk.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                AppendCarry(chunk);
                return;
            }

            if (_carryLength > 0)
            {
                AppendCarry(chunk[..end]);
                ProcessLine(_carry.AsSpan(0, _carryLength), handler);
                _carryLength = 0;
            }
            else
            {
                ProcessLine(chunk[..end], handler);
            }

            if (chunk[end] == (byte)'\r')
            {
                if (end + 1 < chunk.Length)
                {
                    if (chunk[end + 1] == (byte)'\n')
                    {
                        end++;
                    }
                }
                else
                {
                    _lastWasCr = true;
                }
            }

            chunk = chunk[(end + 1)..];
        }
    }

    /// <summary>Drops a partial event, as the SSE spec does at end of stream.</summary>
    public void Reset()
    {
        _carryLength = 0;
        _eventTypeLength = 0;
        _dataLength = 0;
        _hasData = false;
        _lastWasCr = false;
    }

    private void ProcessLine(ReadOnlySpan<byte> line, ISseEventHandler handler)
    {
        if (line.IsEmpty)
        {
            if (_hasData)
            {
                handler.OnEvent(_eventType.AsSpan(0, _eventTypeLength), _data.AsSpan(0, _dataLength));
            }

            _eventTypeLength = 0;
            _dataLength = 0;
            _hasData = false;
            return;
        }

        if (line[0] == (byte)':')
        {
            return;
        }

        ReadOnlySpan<byte> field;
        ReadOnlySpan<byte> value;
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            field = line;
            value = [];
        }
        else
        {
            field = line[..colon];
            value = line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_hasData)
            {
                Append(ref _data, ref _dataLength, "\n"u8);
            }

            Append(ref _data, ref _dataLength, value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventTypeLength = 0;
            Append(ref _eventType, ref _eventTypeLength, value);
        }

        // id: and retry: do not matter to a proxy that re-emits or observes provider streams.
    }

    private void AppendCarry(ReadOnlySpan<byte> bytes)
    {
        if (_carryLength + bytes.Length > MaxLineBytes)
        {
            throw new InvalidDataException($"An SSE line exceeded {MaxLineBytes} bytes.");
        }

        Append(ref _carry, ref _carryLength, bytes);
    }

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(256, Math.Max(buffer.Length * 2, length + bytes.Length)));
            buffer.AsSpan(0, length).CopyTo(grown);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = grown;
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    public void Dispose()
    {
        Release(ref _carry);
        Release(ref _eventType);
        Release(ref _data);
        _carryLength = _eventTypeLength = _dataLength = 0;
    }

    private static void Release(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }
}
