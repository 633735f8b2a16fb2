using Inflight.Cluster;
using Inflight.Tracking;

namespace Inflight.Tests.Cluster;

public sealed class ClusterTotalsTests
{
    private static ActiveRequestSnapshot Request(string provider, string model, bool streaming, long input, long output) => new()
    {
        RequestId = Guid.NewGuid().ToString("N"),
        Provider = provider,
        Model = model,
        RequestedModel = model,
        ResolvedModel = model,
        QualifiedModel = provider + ":" + model,
        IsStreaming = streaming,
        Phase = "streaming",
        InputTokens = input,
        OutputTokens = output,
        DurationMs = 100,
        TtftMs = 10,
        ClientFormat = "openai",
        UpstreamFormat = "openai",
    };

    private static RunningTotalsSnapshot Totals(params ActiveRequestSnapshot[] finished) => ClusterTotals.FromRequests(finished, isError: false, 1);

    [Fact]
    public void Sum_ThreeReplicas_AddsEveryFigureAndSplit()
    {
        var local = Totals(Request("openai", "gpt-4o", true, 10, 5));
        var b = Totals(Request("openai", "gpt-4o", false, 20, 7), Request("anthropic", "claude", true, 30, 9));
        var c = Totals(Request("openai", "gpt-4o-mini", true, 1, 1));

        var sum = ClusterTotals.Sum(local, [b, c], [], null, null, includeActive: false);

        Assert.Equal(4, sum.Summary.TotalRequests);
        Assert.Equal(61, sum.Summary.InputTokens);
        Assert.Equal(22, sum.Summary.OutputTokens);
        Assert.Equal(3, sum.Providers["openai"].TotalRequests);
        Assert.Equal(2, sum.Models["openai:gpt-4o"].TotalRequests);
        Assert.Equal(1, sum.Models["openai:gpt-4o"].Streaming.TotalRequests);
        Assert.Equal(1, sum.Models["openai:gpt-4o"].NonStreaming.TotalRequests);
        Assert.Equal(10.0, sum.Summary.AverageTtftMs);
    }

    [Fact]
    public void Sum_ProviderAndModelFilters_ApplyToOtherReplicasToo()
    {
        var local = Totals();
        var other = Totals(Request("openai", "gpt-4o", false, 20, 7), Request("openai", "gpt-4o-mini", false, 1, 1), Request("anthropic", "claude", true, 30, 9));

        var byProvider = ClusterTotals.Sum(local, [other], [], "OpenAI", null, includeActive: false);
        var byGlob = ClusterTotals.Sum(local, [other], [], null, "gpt-4o-*", includeActive: false);

        Assert.Equal(2, byProvider.Summary.TotalRequests);
        Assert.False(byProvider.Providers.ContainsKey("anthropic"));
        Assert.Equal(1, byGlob.Summary.TotalRequests);
        Assert.True(byGlob.Models.ContainsKey("openai:gpt-4o-mini"));
    }

    [Fact]
    public void Sum_IncludeActive_CountsOtherReplicasActiveRequestsOnlyWhenAsked()
    {
        var active = new[] { Request("openai", "gpt-4o", true, 100, 50) };

        var without = ClusterTotals.Sum(Totals(), [], active, null, null, includeActive: false);
        var with = ClusterTotals.Sum(Totals(), [], active, null, null, includeActive: true);

        Assert.Equal((0, 1), (without.Summary.TotalRequests, without.ActiveRequestCount));
        Assert.Equal((1, 1, 100L), (with.Summary.TotalRequests, with.ActiveRequestCount, with.Summary.InputTokens));
    }

    [Fact]
    public void FromRequests_LostRequests_CountAsErrors()
    {
        var lost = ClusterTotals.FromRequests([Request("openai", "gpt-4o", true, 10, 3)], isError: true, 1);

        Assert.Equal((1, 1), (lost.Summary.TotalRequests, lost.Summary.TotalErrors));
    }
}
