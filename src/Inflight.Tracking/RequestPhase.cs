namespace Inflight.Tracking;

public static class RequestPhase
{
    /// <summary>No byte has come back from upstream yet.</summary>
    public const string Waiting = "waiting";

    /// <summary>The upstream has started answering.</summary>
    public const string Streaming = "streaming";

    /// <summary>No upstream byte for <c>VDM_STALL_SECONDS</c>, before the first byte or between chunks.</summary>
    public const string Stalled = "stalled";
}
