namespace Inflight.Tracking;

/// <summary>Sizes of the tracker's bounded state. Register an instance in DI before <c>AddInflightTracking</c> to change them.</summary>
public sealed class TrackerOptions
{
    public const int DefaultMaxClientStringLength = 256;
    public const int DefaultMaxErrorMessageLength = 512;
    public const int DefaultMaxModelsPerProvider = 200;

    /// <summary>How many finished requests (successes and failures) <c>/metrics/logs</c> can show.</summary>
    public int RecentRequestsCapacity { get; init; } = 200;

    /// <summary>How many failed requests <c>/metrics/logs</c> can show.</summary>
    public int RecentErrorsCapacity { get; init; } = 100;

    /// <summary>
    /// No upstream byte for this long (before the first byte or between chunks) marks a request <c>stalled</c>
    /// (<c>VDM_STALL_SECONDS</c>); zero turns stall detection off.
    /// </summary>
    public TimeSpan StallThreshold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest client-chosen string (model names) the tracker keeps; longer ones are cut and end in '…'.</summary>
    public int MaxClientStringLength { get; init; } = DefaultMaxClientStringLength;

    /// <summary>Longest error message kept in the logs; longer ones are cut and end in '…'.</summary>
    public int MaxErrorMessageLength { get; init; } = DefaultMaxErrorMessageLength;

    /// <summary>
    /// Distinct models per provider that get their own running totals; further models are summed under
    /// <see cref="RequestTracker.OtherModel"/>, so clients inventing model names cannot grow the totals.
    /// </summary>
    public int MaxModelsPerProvider { get; init; } = DefaultMaxModelsPerProvider;
}
