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
    private readonly ISseEventHandler _handler;
    private bool _disposed;

    private StreamAccountant(ISseEventHandler handler)
    {
        _handler = handler;
    }

    /// <summary>An accountant for a stream in <paramref name="upstreamFormat"/> (the provider's format, not the client's).</summary>
    public static StreamAccountant Create(ApiFormat upstreamFormat, IUsageListener listener)
        => new(upstreamFormat switch
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
}
