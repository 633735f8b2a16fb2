namespace Inflight.Load.Tests;

/// <summary>A short soak in the suite: a few thousand requests with the fault mix and client aborts, then exact books.</summary>
/// <remarks>In the load collection: run beside the load smoke tests, two gateways and two fake providers starve a 2-core machine.</remarks>
[Collection(LoadCollection.Name)]
public sealed class SoakDriverTests
{
    [Fact]
    public async Task RunAsync_ShortSoakWithFaultsAndAborts_NothingActiveTotalsAndTokensExactNoUnexpected5xx()
    {
        using var log = new StringWriter();
        var options = new SoakOptions { Requests = 3_000, TimeCap = TimeSpan.FromSeconds(100), Concurrency = 32 };

        var report = await SoakDriver.RunAsync(options, log).WaitAsync(TimeSpan.FromSeconds(180), TestContext.Current.CancellationToken);

        Assert.True(report.Passed, log.ToString());
        Assert.Equal(3_000, report.Requests);
        Assert.Equal(0, report.ActiveAfter);
        Assert.Equal(0, report.Unexpected5xx);
        Assert.True(report.ExpectedInputTokens > 0 && report.ExpectedOutputTokens > 0);
        Assert.True(report.RssAfterMb > 0);
    }

    [Fact]
    public void KindOf_EveryHundredRequests_HoldsTheFaultMix()
    {
        var kinds = Enumerable.Range(0, 100).Select(SoakDriver.KindOf).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(88, kinds[SoakDriver.Kind.Ok]);
        Assert.Equal(5, kinds[SoakDriver.Kind.Abort]);
        Assert.Equal(2, kinds[SoakDriver.Kind.Break]);
    }
}

/// <summary>Tests that start gateway processes and drive load run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "load";
}
