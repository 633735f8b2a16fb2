using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// Watches one upstream response stream and reports its token use and tool calls as they pass.
/// The gateway feeds it each chunk it has just written to the client, unchanged; the accountant
/// only reads the bytes, keeps no copy of a complete line, and never throws on what the upstream sends.
/// Not thread-safe: one stream, one reader loop.
/// </summary>
public sealed class StreamAccountant : IDisposable
{
    private readonly SseEventReader _reader = new();
    private readonly EndWatcher _handler;
    private bool _disposed;

    private StreamAccountant(ApiFormat format, ISseEventHandler handler)
    {
        _handler = new EndWatcher(format, handler);
    }

    /// <summary>
    /// True once the stream's closing event went by: Anthropic <c>message_stop</c>, OpenAI <c>data: [DONE]</c>,
    /// Responses <c>response.completed</c>, <c>.incomplete</c> or <c>.failed</c>. A client that leaves after
    /// that had the whole answer.
    /// </summary>
    public bool SawEnd => _handler.SawEnd;

    /// <summary>
    /// What the provider said when it ended the stream with an error in band (Anthropic's <c>error</c> event, an OpenAI
    /// chunk holding an <c>error</c> object, Responses' <c>error</c> or <c>response.failed</c>), as <c>"type: message"</c>;
    /// null while the stream has none. Such a stream started with 200, but it failed.
    /// </summary>
    public string? StreamError => _handler.StreamError;

    /// <summary>An accountant for a stream in <paramref name="upstreamFormat"/> (the provider's format, not the client's).</summary>
    public static StreamAccountant Create(ApiFormat upstreamFormat, IUsageListener listener)
        => new(upstreamFormat, upstreamFormat switch
        {
            ApiFormat.Anthropic => new AnthropicStreamAccountant(listener),
            ApiFormat.Responses => new ResponsesStreamAccountant(listener),
            _ => new OpenAIStreamAccountant(listener),
        });

    /// <summary>Feeds the next bytes of the stream, split anywhere. Ignored after <see cref="Dispose"/>.</summary>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            _reader.Feed(chunk, _handler);
        }
        catch (InvalidDataException)
        {
            // A line longer than the reader allows: drop it and pick up again at the next line.
            _reader.Reset();
        }
    }

    /// <summary>Returns the reader's pooled buffers. What was counted so far stays reported.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _reader.Dispose();
        }
    }

    /// <summary>Notes the closing event of the stream, then hands every event on.</summary>
    private sealed class EndWatcher(ApiFormat format, ISseEventHandler inner) : ISseEventHandler
    {
        public bool SawEnd { get; private set; }

        public string? StreamError { get; private set; }

        public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
        {
            if (!SawEnd)
            {
                SawEnd = format switch
                {
                    ApiFormat.Anthropic => eventType.SequenceEqual("message_stop"u8),
                    ApiFormat.Responses => eventType.SequenceEqual("response.completed"u8) || eventType.SequenceEqual("response.incomplete"u8) || eventType.SequenceEqual("response.failed"u8),
                    _ => data.Trim(" \t\r\n"u8).SequenceEqual("[DONE]"u8),
                };
            }

            if (StreamError is null && MayBeError(eventType, data))
            {
                StreamError = InBandError.Read(format, eventType, data);
            }

            inner.OnEvent(eventType, data);
        }

        // Cheap on every event: only an error event, or a data line naming an "error" member, is parsed.
        private bool MayBeError(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data) => format switch
        {
            ApiFormat.Anthropic => eventType.SequenceEqual("error"u8),
            ApiFormat.Responses => eventType.SequenceEqual("error"u8) || eventType.SequenceEqual("response.failed"u8),
            _ => data.IndexOf("\"error\":"u8) >= 0,
        };
    }
}
