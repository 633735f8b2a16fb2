using System.Text.Json.Serialization;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>The body of <c>GET /metrics/active-requests</c> and of every SSE <c>update</c> event.</summary>
internal sealed record ActiveRequestsPayload(bool Disabled, IReadOnlyList<ActiveRequestSnapshot> ActiveRequests, double Timestamp)
{
    /// <summary>In cluster mode: every replica in the view, this one first; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReplicaSummary>? Replicas { get; init; }

    /// <summary>In cluster mode: whether the view is partial (Redis unreachable) and why; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ClusterStatus? Cluster { get; init; }
}

/// <summary>What the metrics endpoints answer when <c>LOG_REQUEST_METRICS=false</c>.</summary>
internal sealed record MetricsDisabledPayload(bool Disabled, IReadOnlyList<ActiveRequestSnapshot> ActiveRequests, string Message, string Suggestion)
{
    public static MetricsDisabledPayload Instance { get; } = new(
        true,
        [],
        "Request metrics are disabled.",
        "Set LOG_REQUEST_METRICS=true (or remove it; true is the default) and restart Inflight.");

    /// <summary>
    /// <c>/metrics/history</c> without a history store: a 200 like the other "off" answers, so a page probing for
    /// history (the dashboard) logs no error.
    /// </summary>
    public static MetricsDisabledPayload HistoryOff { get; } = new(
        true,
        [],
        "History is off: INFLIGHT_DATABASE_URL is none.",
        "Set INFLIGHT_DATABASE_URL (the default is sqlite:inflight.db) and restart Inflight.");

    /// <summary>The 503 body of the stream when <c>VDM_ACTIVE_REQUESTS_SSE_ENABLED=false</c> (metrics themselves are on).</summary>
    public static MetricsDisabledPayload StreamDisabled { get; } = new(
        true,
        [],
        "The active-requests stream is disabled.",
        "Poll GET /metrics/active-requests, or set VDM_ACTIVE_REQUESTS_SSE_ENABLED=true (or remove it; true is the default) and restart Inflight.");
}
