using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>The body of <c>GET /metrics/logs</c>: finished requests and errors, newest first.</summary>
internal sealed record LogsPayload(bool Disabled, IReadOnlyList<RequestLogEntry> RecentRequests, IReadOnlyList<RequestLogEntry> RecentErrors, double Timestamp);
