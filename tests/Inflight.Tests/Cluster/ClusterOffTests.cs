using System.Text.Json.Nodes;
using Inflight.Tests.Metrics;

namespace Inflight.Tests.Cluster;

/// <summary>Without <c>REDIS_URL</c> the metrics API is exactly what it was before cluster mode.</summary>
public sealed class ClusterOffTests
{
    [Fact]
    public async Task ActiveRequestsAndLogs_NoRedisUrl_HaveNoClusterFields()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        using var active = host.StartRequest();
        var finished = host.StartRequest();
        finished.Complete();
        var ct = TestContext.Current.CancellationToken;

        var view = JsonNode.Parse(await client.GetStringAsync("/metrics/active-requests", ct))!.AsObject();
        var logs = JsonNode.Parse(await client.GetStringAsync("/metrics/logs", ct))!.AsObject();

        Assert.False(view.ContainsKey("replicas"));
        Assert.False(view.ContainsKey("cluster"));
        Assert.False(view["active_requests"]![0]!.AsObject().ContainsKey("replica"));
        Assert.False(logs["recent_requests"]![0]!.AsObject().ContainsKey("replica"));
    }
}
