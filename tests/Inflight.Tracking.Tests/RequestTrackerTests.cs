using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tracking.Tests;

public sealed class RequestTrackerTests
{
    [Fact]
    public void Dispose_WithoutCompletion_RemovesRequestFromActive()
    {
        var tracker = new RequestTracker(new FakeTimeProvider());
        var request = tracker.Start(new RequestStart { Provider = "p", RequestedModel = "m", ResolvedModel = "m", ClientFormat = "openai", UpstreamFormat = "openai" });
        Assert.Single(tracker.GetActiveRequests());

        request.Dispose();

        Assert.Empty(tracker.GetActiveRequests());
    }
}
