namespace Inflight.Tracking;

/// <summary>
/// When each step of a request happened, in epoch seconds; null for a step it has not (or never) reached.
/// <c>routed_at</c> is when the gateway had checked, routed and translated the request and registered it.
/// </summary>
public sealed record RequestTimeline
{
    public double ReceivedAt { get; init; }
    public double RoutedAt { get; init; }
    public double? UpstreamHeadersAt { get; init; }
    public double? FirstTokenAt { get; init; }
    public double? LastChunkAt { get; init; }
    public double? FinishedAt { get; init; }
}
