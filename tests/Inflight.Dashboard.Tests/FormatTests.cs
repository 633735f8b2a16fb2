using Inflight.Dashboard.Tests.Infrastructure;

namespace Inflight.Dashboard.Tests;

/// <summary>The page's formatting module, run in the browser it ships to.</summary>
public sealed class FormatTests(BrowserFixture browser)
{
    [Fact]
    public async Task FormatDuration_Values_UseTheDashboardNotation()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();

        var texts = await dashboard.Page.EvaluateAsync<string[]>("""
            async () => {
              const { formatDuration } = await import('./js/format.js');
              return [0, 999, 1000, 12_400, 59_999, 60_000, 184_000, 3_599_000, 3_720_000, 90_000_000].map(formatDuration);
            }
            """);

        Assert.Equal(["<1s", "<1s", "1s", "12s", "59s", "1m 00s", "3m 04s", "59m 59s", "1h 02m", "25h 00m"], texts);
    }

    [Fact]
    public async Task BackoffDelay_Attempts_GrowExponentiallyWithJitterAndCap()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();

        var delays = await dashboard.Page.EvaluateAsync<int[][]>("""
            async () => {
              const { backoffDelay } = await import('./js/stream.js');
              return [0, 1, 2, 3, 10, 40].map((attempt) => [backoffDelay(attempt, () => 0), backoffDelay(attempt, () => 0.999999)]);
            }
            """);

        Assert.Equal([500, 1000], delays[0]);
        Assert.Equal([1000, 2000], delays[1]);
        Assert.Equal([2000, 4000], delays[2]);
        Assert.Equal([4000, 8000], delays[3]);
        Assert.Equal([15000, 30000], delays[4]);
        Assert.Equal([15000, 30000], delays[5]);
    }
}
