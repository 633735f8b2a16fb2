using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>The body of <c>GET /metrics/active-requests</c> and of every SSE <c>update</c> event.</summary>
internal sealed record ActiveRequestsPayload(bool Disabled, IReadOnlyList<ActiveRequestSnapshot> ActiveRequests, double Timestamp);

/// <summary>What the metrics endpoints answer when <c>LOG_REQUEST_METRICS=false</c>.</summary>
internal sealed record MetricsDisabledPayload(bool Disabled, IReadOnlyList<ActiveRequestSnapshot> ActiveRequests, string Message, string Suggestion)
{
    public static MetricsDisabledPayload Instance { get; } = new(
        true,
        [],
        "Request metrics are disabled.",
        "Set LOG_REQUEST_METRICS=true (or remove it; true is the default) and restart Inflight.");
}
