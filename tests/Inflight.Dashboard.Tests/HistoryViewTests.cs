using Inflight.Dashboard.Tests.Infrastructure;
using Inflight.History;
using Inflight.Tracking;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

/// <summary>The History view (Chart.js series from /metrics/history) and the request log grid paged from the store.</summary>
public sealed class HistoryViewTests(BrowserFixture browser) : IDisposable
{
    private const int Stored = 250;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("inflight-dash-history-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HistoryView_StoredRequests_ChartsEveryModelAndSwitchesWindow()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["INFLIGHT_DATABASE_URL"] = await SeedAsync() });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        var history = dashboard.Page.Locator("#history");

        await Expect(history).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(history).ToHaveAttributeAsync("data-points", "60");
        await Expect(history).ToHaveAttributeAsync("data-models", "hist:m1 hist:m2");
        await Expect(dashboard.Page.Locator("#history-requests")).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#history-empty")).ToBeHiddenAsync();

        await dashboard.Page.Locator("[data-window='24h']").ClickAsync();
        await Expect(history).ToHaveAttributeAsync("data-points", "96");
        await Expect(dashboard.Page.Locator("[data-window='24h']")).ToHaveAttributeAsync("aria-pressed", "true");
        await dashboard.Page.Locator("[data-window='7d']").ClickAsync();
        await Expect(history).ToHaveAttributeAsync("data-points", "168");
        await Expect(dashboard.Page.Locator("[data-window='1h']")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task RequestLog_StoredRequests_PagedThroughTheCursorAndFilteredOnTheServer()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["INFLIGHT_DATABASE_URL"] = await SeedAsync() });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        var status = dashboard.Page.Locator("#request-log-status");
        var page = dashboard.Page;

        // Newest first, one page of 100 loaded, more to come.
        await Expect(status).ToHaveTextAsync("100+ stored requests", new() { Timeout = 15_000 });
        await Expect(LogRow(page, "log-249")).ToBeVisibleAsync();
        await Expect(LogRow(page, "log-000")).ToHaveCountAsync(0);

        // Scrolling to the end fetches the next pages with before= until the store has no more.
        await dashboard.Page.WaitForFunctionAsync(
            """
            () => {
              // The grid's vertical scroller, whatever AG Grid calls it.
              const viewport = [...document.querySelectorAll('#request-log-grid *')]
                .find((e) => e.scrollHeight > e.clientHeight + 10 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY));
              if (viewport) viewport.scrollTop = viewport.scrollHeight;
              return document.querySelector('#request-log-status').textContent === '250 stored requests';
            }
            """,
            null,
            new() { PollingInterval = 200, Timeout = 30_000 });
        await Expect(LogRow(page, "log-000")).ToBeVisibleAsync();

        // Filters go to the server: errors only, then errors of a model that has none.
        await dashboard.Page.Locator("#request-log select[name='status']").SelectOptionAsync("error");
        await Expect(status).ToHaveTextAsync("25 stored requests");
        await Expect(LogRow(page, "log-243").Locator("[col-id='status']")).ToContainTextAsync("Error 502");
        await Expect(LogRow(page, "log-249")).ToHaveCountAsync(0);
        await dashboard.Page.Locator("#request-log input[name='model']").FillAsync("m2");
        await dashboard.Page.Locator("#request-log input[name='model']").PressAsync("Enter");
        await Expect(status).ToHaveTextAsync("0 stored requests");
        await Expect(page.Locator("#request-log-grid .ag-header-cell[col-id='replica']")).ToHaveCountAsync(0);
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task RequestLog_StoredRowsNamingTheirReplicas_ShowsTheReplicaColumn()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["INFLIGHT_DATABASE_URL"] = await SeedAsync(i => i % 2 == 0 ? "replica-a" : "replica-b") });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        var page = dashboard.Page;

        await Expect(page.Locator("#request-log-status")).ToHaveTextAsync("100+ stored requests", new() { Timeout = 15_000 });
        await Expect(page.Locator("#request-log-grid .ag-header-cell[col-id='replica']")).ToBeVisibleAsync();
        await Expect(LogRow(page, "log-249").Locator("[col-id='replica']")).ToHaveTextAsync("replica-b");
        await Expect(LogRow(page, "log-248").Locator("[col-id='replica']")).ToHaveTextAsync("replica-a");
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task HistoryView_HistoryOff_StaysHiddenWithoutErrors()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        var answer = await dashboard.Page.RunAndWaitForResponseAsync(dashboard.OpenAsync, r => r.Url.Contains("/metrics/history", StringComparison.Ordinal));

        Assert.Equal(200, answer.Status);
        await Expect(dashboard.Page.Locator("#fig-requests")).ToHaveTextAsync("0");
        await Expect(dashboard.Page.Locator("#history")).ToBeHiddenAsync();
        Assert.Empty(dashboard.Problems);
    }

    private static ILocator LogRow(IPage page, string requestId) => page.Locator($"#request-log-grid .ag-row[row-id='{requestId}']");

    /// <summary>
    /// 250 requests over the last ~42 minutes, newest <c>log-249</c>: every fifth on model m2, every tenth from
    /// the fourth on (<c>log-003</c>, …, <c>log-243</c>) failed, all on m1; <paramref name="replica"/> names each one's replica.
    /// </summary>
    private async Task<string> SeedAsync(Func<int, string?>? replica = null)
    {
        var url = "sqlite:" + Path.Combine(_directory.FullName, "history.db");
        Assert.True(StoreLocation.TryParse(url, out var location, out _));
        await using var store = HistoryStores.Create(location)!;
        await store.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var entries = new List<RequestLogEntry>();
        for (var i = 0; i < Stored; i++)
        {
            var model = i % 5 == 0 ? "m2" : "m1";
            var failed = i % 10 == 3;
            var start = now - ((Stored - i) * 10);
            entries.Add(new RequestLogEntry
            {
                RequestId = $"log-{i:000}",
                Provider = "hist",
                Model = model,
                RequestedModel = "hist:" + model,
                QualifiedModel = "hist:" + model,
                IsStreaming = true,
                Status = failed ? RequestStatus.Error : RequestStatus.Success,
                StatusCode = failed ? 502 : 200,
                ErrorType = failed ? ErrorTypes.UpstreamHttpError : null,
                StartTime = start,
                EndTime = start + 1.2,
                DurationMs = 1200 + i,
                TtftMs = 300 + i,
                InputTokens = 100 + i,
                OutputTokens = 20,
                ClientFormat = "anthropic",
                UpstreamFormat = "anthropic",
                Replica = replica?.Invoke(i),
            });
        }

        await store.WriteAsync(entries, null, Ct);
        return url;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
