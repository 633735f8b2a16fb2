using Inflight.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

public sealed class ConnectionTests(BrowserFixture browser)
{
    [Fact]
    public async Task Indicator_ServerGoesAwayAndReturns_LiveThenReconnectingThenLive()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.Page.Locator("#connection-updated")).ToContainTextAsync("updated");

        await host.StopAsync();

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Reconnecting");
        await Expect(dashboard.Connection).ToHaveAttributeAsync("data-state", "reconnecting");

        host.StartAgain();
        using var tracked = Traffic.Start(host.Tracker);

        // Backoff is capped, and the first retries come within seconds.
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live", new() { Timeout = 30_000 });
        await Expect(dashboard.ActiveRow(tracked.RequestId)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Dashboard_MetricsDisabled_ShowsDisabledAndPollingNotice()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["LOG_REQUEST_METRICS"] = "false" });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        await dashboard.OpenAsync();

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Disabled");
        await Expect(dashboard.Notice).ToBeVisibleAsync();
        await Expect(dashboard.Notice).ToContainTextAsync("Request metrics are disabled");
        await Expect(dashboard.Notice).ToContainTextAsync("LOG_REQUEST_METRICS");
        await Expect(dashboard.Notice).ToContainTextAsync("Polling");
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task Dashboard_StreamDisabled_PollsSnapshotAndShowsRows()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["VDM_ACTIVE_REQUESTS_SSE_ENABLED"] = "false" });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        await dashboard.OpenAsync();
        using var tracked = Traffic.Start(host.Tracker);

        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Polling");
        await Expect(dashboard.Notice).ToContainTextAsync("polling /metrics/active-requests");
        await Expect(dashboard.ActiveRow(tracked.RequestId)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Dashboard_HiddenTab_CatchesUpWhenVisible()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");

        await SetHiddenAsync(dashboard, hidden: true);
        using var tracked = Traffic.Start(host.Tracker);
        // Wait until the page has received the snapshot with the request, while hidden.
        await Expect(dashboard.Page.Locator("#connection-updated")).Not.ToHaveTextAsync(await dashboard.Page.Locator("#connection-updated").InnerTextAsync());
        await Expect(dashboard.ActiveRow(tracked.RequestId)).ToHaveCountAsync(0);

        await SetHiddenAsync(dashboard, hidden: false);

        await Expect(dashboard.ActiveRow(tracked.RequestId)).ToBeVisibleAsync();
        Assert.Empty(dashboard.Problems);
    }

    /// <summary>Headless pages are always visible; override the Page Visibility API and fire the event the page listens to.</summary>
    private static Task SetHiddenAsync(DashboardView dashboard, bool hidden)
        => dashboard.Page.EvaluateAsync($$"""
            () => {
              Object.defineProperty(document, 'hidden', { configurable: true, get: () => {{(hidden ? "true" : "false")}} });
              Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => '{{(hidden ? "hidden" : "visible")}}' });
              document.dispatchEvent(new Event('visibilitychange'));
            }
            """);
}
