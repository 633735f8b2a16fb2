using System.Collections.Concurrent;
using Inflight.Protocols;
using Inflight.Protocols.Requests;
using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// The opt-in content peek (<c>VDM_CAPTURE_CONTENT</c>, default off). It keeps a <see cref="ContentPeek"/> per active
/// request, apart from the tracker's records, so content can never reach the logs, the history store or the SSE
/// snapshot; the detail endpoint is its only reader. A request's peek is dropped when it finishes. When off,
/// <see cref="Begin"/> keeps nothing and the accountants copy no text.
/// </summary>
internal sealed class ContentCapture(IOptions<MetricsOptions> options) : IRequestObserver
{
    private readonly ConcurrentDictionary<string, ContentPeek> _peeks = new(StringComparer.Ordinal);

    public bool IsEnabled { get; } = options.Value.CaptureContent;

    /// <summary>How many peeks are held (one per active request while capture is on).</summary>
    public int Count => _peeks.Count;

    /// <summary>Starts the peek of a request that was just tracked; null when capture is off.</summary>
    public ContentPeek? Begin(TrackedRequest request, ApiFormat clientFormat, ReadOnlySpan<byte> body)
    {
        if (!IsEnabled)
        {
            return null;
        }

        var peek = new ContentPeek(LastUserMessage.Read(clientFormat, body, ContentPeek.UserMessageCapacity));
        _peeks[request.RequestId] = peek;

        // Finished before the peek was registered (a cancel can finalize from another thread): drop it again.
        if (request.IsFinalized)
        {
            _peeks.TryRemove(request.RequestId, out _);
        }

        return peek;
    }

    public ContentPeek? Find(string requestId) => _peeks.TryGetValue(requestId, out var peek) ? peek : null;

    public void OnFinished(TrackedRequest request, RequestLogEntry entry) => _peeks.TryRemove(request.RequestId, out _);
}
