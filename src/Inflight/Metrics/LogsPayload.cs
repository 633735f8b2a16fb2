using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// The body of <c>GET /metrics/logs</c>: finished requests and errors, newest first. <see cref="Source"/>
/// says whether they come from memory (the recent rings) or the history store; <see cref="NextBefore"/>
/// is the <c>before=</c> cursor of the next page when the store has more.
/// </summary>
internal sealed record LogsPayload(
    bool Disabled,
    IReadOnlyList<RequestLogEntry> RecentRequests,
    IReadOnlyList<RequestLogEntry> RecentErrors,
    double Timestamp,
    string Source,
    long? NextBefore)
{
    public const string MemorySource = "memory";
    public const string StoreSource = "store";
}
