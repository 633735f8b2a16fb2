namespace Inflight.Tracking;

/// <summary>Sizes of the tracker's bounded logs. Register an instance in DI before <c>AddInflightTracking</c> to change them.</summary>
public sealed class TrackerOptions
{
    /// <summary>How many finished requests (successes and failures) <c>/metrics/logs</c> can show.</summary>
    public int RecentRequestsCapacity { get; init; } = 200;

    /// <summary>How many failed requests <c>/metrics/logs</c> can show.</summary>
    public int RecentErrorsCapacity { get; init; } = 100;

    /// <summary>
    /// No upstream byte for this long (before the first byte or between chunks) marks a request <c>stalled</c>
    /// (<c>VDM_STALL_SECONDS</c>); zero turns stall detection off.
    /// </summary>
    public TimeSpan StallThreshold { get; init; } = TimeSpan.FromSeconds(30);
}
