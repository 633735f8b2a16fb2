namespace Inflight.Metrics;

/// <summary>Settings of the metrics API, with the names the spec's proxy uses.</summary>
internal sealed class MetricsOptions
{
    /// <summary><c>LOG_REQUEST_METRICS</c> (default true): when false the metrics endpoints answer with the disabled payload.</summary>
    public bool LogRequestMetrics { get; set; } = true;

    /// <summary><c>VDM_ACTIVE_REQUESTS_SSE_ENABLED</c> (default true): when false the stream answers 503.</summary>
    public bool SseEnabled { get; set; } = true;

    /// <summary><c>VDM_ACTIVE_REQUESTS_SSE_INTERVAL</c> seconds (default 2.0): the longest gap between updates while requests are active.</summary>
    public TimeSpan SseInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT</c> seconds (default 30): the gap between <c>: heartbeat</c> comments.</summary>
    public TimeSpan SseHeartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>VDM_STALL_SECONDS</c> (default 30; 0 off): no upstream byte for this long marks a request <c>stalled</c>.</summary>
    public TimeSpan StallThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>VDM_CAPTURE_CONTENT</c> (default false): the detail endpoint shows the last 4 KB of an active request's
    /// answer text and the first 1 KB of its last user message. Never logged, stored or streamed.
    /// </summary>
    public bool CaptureContent { get; set; }

    internal List<string> LoadErrors { get; } = [];
}
