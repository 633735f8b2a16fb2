using Inflight.Tracking;

namespace Inflight.Dashboard.Tests.Infrastructure;

/// <summary>Requests registered straight on the tracker, for tests about what the page shows rather than how the gateway tracks.</summary>
public static class Traffic
{
    public static TrackedRequest Start(RequestTracker tracker, string provider = "demo", string model = "demo-sonnet", bool streaming = true, string? requestedModel = null)
        => tracker.Start(new RequestStart
        {
            Provider = provider,
            RequestedModel = requestedModel ?? model,
            ResolvedModel = model,
            IsStreaming = streaming,
            ClientFormat = "anthropic",
            UpstreamFormat = "anthropic",
            RequestSize = 512,
            MessageCount = 2,
            EstimatedInputTokens = 120,
        });
}
