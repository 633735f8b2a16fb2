using System.Text;
using Inflight.Dashboard.Tests.Infrastructure;
using Inflight.Testing;
using Microsoft.AspNetCore.Http;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

/// <summary>Stalled highlighting, the quick filter, the detail drawer and cancel with its confirmation.</summary>
public sealed class OperatorControlsTests(BrowserFixture browser)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ActiveGrid_StalledRequest_HighlightedFilteredDetailedAndCancelled()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, recorded) =>
        {
            using var registration = recorded.Aborted.Register(() => upstreamAborted.TrySetResult());
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync(ProviderRecordings.AnthropicStreamEvents[0], ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            started.TrySetResult();

            // Then silence: the request stalls until it is cancelled.
            await Task.Delay(Timeout.Infinite, recorded.Aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "upstream-secret",
            ["FAKE_BASE_URL"] = upstream.BaseUrl + "v1",
            ["FAKE_API_FORMAT"] = "anthropic",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
            ["VDM_STALL_SECONDS"] = "1",
            ["VDM_ACTIVE_REQUESTS_SSE_INTERVAL"] = "0.5",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");

        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.5.0");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var requestId = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        var row = dashboard.ActiveRow(requestId);

        // Stalled: the phase says so, the row is highlighted and the overview counts it.
        await Expect(dashboard.ActiveCell(requestId, "phase")).ToHaveTextAsync("Stalled", new() { Timeout = 10_000 });
        await Expect(row.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("row-stalled"));
        await Expect(dashboard.Page.Locator("#fig-active-sub")).ToContainTextAsync("1 stalled");
        await Expect(dashboard.ActiveCell(requestId, "client")).ToHaveTextAsync("curl 8.5.0");

        // Quick filter: by client, then something nothing matches.
        var filter = dashboard.Page.Locator("#active-filter");
        await filter.FillAsync("curl");
        await Expect(row.First).ToBeVisibleAsync();
        await filter.FillAsync("no-such-provider");
        await Expect(row).ToHaveCountAsync(0);
        await filter.FillAsync("");
        await Expect(row.First).ToBeVisibleAsync();

        // Row click opens the drawer with the live detail.
        await dashboard.ActiveCell(requestId, "model").ClickAsync();
        var drawer = dashboard.Page.Locator("#drawer");
        await Expect(drawer).ToBeVisibleAsync();
        await Expect(drawer.Locator("dd[data-field='State']")).ToHaveTextAsync("active");
        await Expect(drawer.Locator("dd[data-field='Phase / status']")).ToHaveTextAsync("stalled");
        await Expect(drawer.Locator("dd[data-field='Upstream status']")).ToHaveTextAsync("200");

        // Cancel asks first; dismissing keeps the request running.
        var cancel = dashboard.ActiveCell(requestId, "cancel").Locator("button");
        void Dismiss(object? sender, Microsoft.Playwright.IDialog dialog) => _ = dialog.DismissAsync();
        dashboard.Page.Dialog += Dismiss;
        await cancel.ClickAsync();
        dashboard.Page.Dialog -= Dismiss;
        Assert.Equal(1, host.Tracker.ActiveCount);

        string? question = null;
        void Accept(object? sender, Microsoft.Playwright.IDialog dialog)
        {
            question = dialog.Message;
            _ = dialog.AcceptAsync();
        }

        dashboard.Page.Dialog += Accept;
        await cancel.ClickAsync();
        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Expect(row).ToHaveCountAsync(0);
        Assert.Contains(requestId, question, StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("event: error", body, StringComparison.Ordinal);
        var entry = Assert.Single(host.Tracker.GetRecentErrors());
        Assert.Equal("cancelled", entry.ErrorType);
        Assert.StartsWith("dashboard session at ", entry.CancelledBy, StringComparison.Ordinal);
        await Expect(drawer.Locator("dd[data-field='State']")).ToHaveTextAsync("finished");
        Assert.Empty(dashboard.Problems);
    }
}
