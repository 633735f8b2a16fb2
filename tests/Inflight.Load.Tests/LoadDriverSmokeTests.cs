namespace Inflight.Load.Tests;

/// <summary>
/// Runs every load case with a handful of requests (<c>--smoke</c>) against a real gateway process, so
/// the driver cannot rot between full benchmark runs. Figures are not asserted: only that each case
/// produced results through both paths, without errors.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class LoadDriverSmokeTests
{
    [Fact]
    public async Task RunAsync_Smoke_EveryCaseMeasuresDirectAndGatewayWithoutErrors()
    {
        using var log = new StringWriter();
        var options = new LoadOptions { Smoke = true };

        var report = await LoadDriver.RunAsync(options, log).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);

        Assert.True(report.Errors == 0, log.ToString());
        var cases = report.Measurements.GroupBy(m => m.Case).ToList();
        Assert.Contains(cases, c => c.Key == "plain-openai-c32");
        Assert.Contains(cases, c => c.Key == "plain-anthropic-c32");
        Assert.Contains(cases, c => c.Key == "stream-openai-c32");
        Assert.Contains(cases, c => c.Key == "stream-openai-paced-c8");
        Assert.Contains(cases, c => c.Key == "stream-translated-paced-c16");
        Assert.Contains(cases, c => c.Key == "claude-translated-warm-c16");
        Assert.Contains(cases, c => c.Key == "claude-translated-cold-c1");
        Assert.Contains(cases, c => c.Key == "claude-passthrough-anthropic-c16");
        foreach (var group in cases)
        {
            Assert.Contains(group, m => m.Target == Target.Direct && m.Requests > 0);
            Assert.Contains(group, m => m.Target == Target.Inflight && m.Requests > 0 && m.P50Ms > 0);
        }

        var held = Assert.Single(report.Held);
        Assert.Equal(held.Requested, held.Held);
        Assert.Contains("| plain-openai-c32 | inflight |", report.Markdown, StringComparison.Ordinal);
        Assert.Contains("| 16 | translated-cold |", report.Markdown, StringComparison.Ordinal);
        Assert.Contains(report.Notes, n => n.StartsWith("Gateway token-count cache at the end", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SmokeWithHub_MeasuresPushLatencyAndWatchedCases()
    {
        using var log = new StringWriter();
        var options = new LoadOptions { Smoke = true, Cases = ["watched", "push"] };

        var report = await LoadDriver.RunAsync(options, log).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);

        Assert.True(report.Errors == 0, log.ToString());
        Assert.True(report.Push.Count == 2, string.Join("\n", report.Notes) + "\n" + log);
        Assert.Equal(["update", "delta"], report.Push.Select(p => p.Mode));
        Assert.All(report.Push, push => Assert.True(push.StartSeen > 0 && push.FinishSeen > 0, log.ToString()));
        Assert.Contains(report.Measurements, m => m.Case.StartsWith("watched", StringComparison.Ordinal) && m.Target == Target.Inflight && m.Requests > 0);
    }

    [Fact]
    public void TryParse_UnknownOption_ReportsIt()
    {
        var ok = LoadOptions.TryParse(["--bogus"], out _, out var error);

        Assert.False(ok);
        Assert.Contains("--bogus", error, StringComparison.Ordinal);
    }
}
