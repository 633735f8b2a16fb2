using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Inflight.Dashboard.Tests.Infrastructure;
using Inflight.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Inflight.Dashboard.Tests;

public sealed partial class ActiveRequestsGridTests(BrowserFixture browser)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ActiveGrid_SlowStreamingRequest_AppearsGrowsThenLeavesAndTotalsMove()
    {
        // The fake provider streams one text delta each time the test releases it.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var step = new SemaphoreSlim(0);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await WriteAsync(ctx, ProviderRecordings.AnthropicStreamEvents[0]);
            await WriteAsync(ctx, ProviderRecordings.AnthropicStreamEvents[1]);
            started.TrySetResult();
            for (var i = 0; i < 3; i++)
            {
                await step.WaitAsync(ctx.RequestAborted);
                var text = string.Concat(Enumerable.Repeat($"word{i} ", 40));
                await WriteAsync(ctx, $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{text}\"}}}}\n\n");
            }

            await step.WaitAsync(ctx.RequestAborted);
            foreach (var tail in ProviderRecordings.AnthropicStreamEvents[5..])
            {
                await WriteAsync(ctx, tail);
            }
        });
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "upstream-secret",
            ["FAKE_BASE_URL"] = upstream.BaseUrl + "v1",
            ["FAKE_API_FORMAT"] = "anthropic",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");
        await Expect(dashboard.Page.Locator("#fig-requests")).ToHaveTextAsync("0");

        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Tell me a story"}]}""", Encoding.UTF8, "application/json"),
        };
        var responseTask = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var requestId = Assert.Single(host.Tracker.GetActiveRequests()).RequestId;

        // Appears while it runs, with its provider, model and phase. How fast is measured in bench/
        // (docs/performance.md); a wall-clock bound here would fail on a loaded machine, not on a slow dashboard.
        await Expect(dashboard.ActiveRow(requestId)).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Expect(dashboard.ActiveCell(requestId, "provider")).ToHaveTextAsync("fake");
        await Expect(dashboard.ActiveCell(requestId, "model")).ToHaveTextAsync("claude-sonnet-4-5");
        await Expect(dashboard.ActiveCell(requestId, "phase")).ToHaveTextAsync("Streaming");
        await Expect(dashboard.ActiveCell(requestId, "streaming")).ToHaveTextAsync("SSE");
        await Expect(dashboard.ActiveCell(requestId, "ttft")).ToHaveTextAsync(LatencyText());
        await Expect(dashboard.ActiveCount).ToHaveTextAsync("1");

        // Output tokens grow with every delta, marked as estimates while the stream runs.
        var output = dashboard.ActiveCell(requestId, "output");
        var previous = await output.InnerTextAsync();
        for (var i = 0; i < 3; i++)
        {
            step.Release();
            await Expect(output).Not.ToHaveTextAsync(previous);
            var current = await output.InnerTextAsync();
            Assert.StartsWith("~", current, StringComparison.Ordinal);
            Assert.True(TokenCount(current) > TokenCount(previous), $"output tokens went from '{previous}' to '{current}'");
            previous = current;
        }

        // It ends: the row leaves, the totals and the recent log show it.
        step.Release();
        using var response = await responseTask;
        _ = await response.Content.ReadAsStringAsync(Ct);
        await Expect(dashboard.ActiveRow(requestId)).ToHaveCountAsync(0);
        await Expect(dashboard.ActiveCount).ToHaveTextAsync("0");
        await Expect(dashboard.ActiveGrid).ToContainTextAsync("No requests in flight");
        await Expect(dashboard.Page.Locator("#fig-requests")).ToHaveTextAsync("1");
        await Expect(dashboard.Page.Locator($"#recent-grid [row-id='{requestId}']").First).ToBeVisibleAsync();
        await Expect(dashboard.Page.Locator("#providers-grid")).ToContainTextAsync("fake");
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task ActiveGrid_ManyConcurrentRequests_OneRowEach()
    {
        const int Count = 12;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await WriteAsync(ctx, ProviderRecordings.AnthropicStreamEvents[0]);
            await release.Task.WaitAsync(ctx.RequestAborted);
            foreach (var tail in ProviderRecordings.AnthropicStreamEvents[1..])
            {
                await WriteAsync(ctx, tail);
            }
        });
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "upstream-secret",
            ["FAKE_BASE_URL"] = upstream.BaseUrl + "v1",
            ["FAKE_API_FORMAT"] = "anthropic",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress, height: 1600);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");

        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var requests = Enumerable.Range(0, Count).Select(async i =>
        {
            using var content = new StringContent($$"""{"model":"model-{{i}}","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json");
            using var response = await client.PostAsync("/v1/messages", content, Ct);
            return await response.Content.ReadAsStringAsync(Ct);
        }).ToArray();

        await Expect(dashboard.ActiveCount).ToHaveTextAsync(Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(dashboard.Page.Locator("#active-grid [role='treegrid'], #active-grid [role='grid']").First)
            .ToHaveAttributeAsync("aria-rowcount", (Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ids = host.Tracker.GetActiveRequests().Select(r => r.RequestId).ToList();
        Assert.Equal(Count, ids.Count);
        foreach (var id in ids)
        {
            await Expect(dashboard.ActiveRow(id)).ToHaveCountAsync(1);
        }

        release.SetResult();
        await Task.WhenAll(requests);
        await Expect(dashboard.ActiveCount).ToHaveTextAsync("0");
        await Expect(dashboard.Page.Locator("#fig-requests")).ToHaveTextAsync(Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(dashboard.Problems);
    }

    [Fact]
    public async Task ActiveGrid_Durations_SortNumericallyAndDuplicatesCollapse()
    {
        await using var host = DashboardHost.Start();
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        // As text, "12s" < "1m 40s" < "5s"; as numbers 5 s < 12 s < 100 s. req_b is sent twice.
        var rows = new[] { Row("req_a", now - 5), Row("req_b", now - 100), Row("req_c", now - 12), Row("req_b", now - 100) };
        var payload = JsonSerializer.Serialize(new Dictionary<string, object> { ["disabled"] = false, ["active_requests"] = rows, ["timestamp"] = now });
        await dashboard.Page.RouteAsync("**/metrics/active-requests/stream", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/event-stream",
            Body = $"retry: 60000\nevent: update\nid: 1\ndata: {payload}\n\n",
        }));

        await dashboard.OpenAsync();

        await Expect(dashboard.ActiveCount).ToHaveTextAsync("3");
        await Expect(dashboard.ActiveRow("req_b")).ToHaveCountAsync(1);
        Assert.Equal(["req_b", "req_c", "req_a"], await RowOrderAsync(dashboard.Page));
        await Expect(dashboard.ActiveCell("req_b", "duration")).ToHaveTextAsync(MinutesText());

        await dashboard.Page.Locator("#active-grid .ag-header-cell[col-id='duration'] .ag-header-cell-label").ClickAsync();

        await Expect(dashboard.Page.Locator("#active-grid .ag-header-cell[col-id='duration']")).ToHaveAttributeAsync("aria-sort", "ascending");
        Assert.Equal(["req_a", "req_c", "req_b"], await RowOrderAsync(dashboard.Page));
    }

    [Fact]
    public async Task ActiveGrid_TrackedRequest_ShowsFieldsAndDurationTicks()
    {
        await using var host = DashboardHost.Start();
        using var tracked = Traffic.Start(host.Tracker, requestedModel: "sonnet");
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);

        await dashboard.OpenAsync();

        var id = tracked.RequestId;
        await Expect(dashboard.ActiveCell(id, "model")).ToHaveTextAsync("sonnet→demo-sonnet");
        await Expect(dashboard.ActiveCell(id, "phase")).ToHaveTextAsync("Waiting");
        await Expect(dashboard.ActiveCell(id, "input")).ToHaveTextAsync("~120");
        var duration = dashboard.ActiveCell(id, "duration");
        await Expect(duration).ToHaveTextAsync(SecondsText());
        await Expect(duration).Not.ToHaveTextAsync(await duration.InnerTextAsync());
        await Expect(dashboard.ActiveCell(id, "request_id")).ToContainTextAsync(id[^8..]);
        Assert.Empty(dashboard.Problems);
    }

    private static Dictionary<string, object?> Row(string id, double startTime) => new()
    {
        ["request_id"] = id,
        ["provider"] = "demo",
        ["model"] = "demo-sonnet",
        ["requested_model"] = "demo-sonnet",
        ["resolved_model"] = "demo-sonnet",
        ["qualified_model"] = "demo:demo-sonnet",
        ["is_streaming"] = true,
        ["start_time"] = startTime,
        ["duration_ms"] = 0,
        ["phase"] = "streaming",
        ["ttft_ms"] = 250.0,
        ["input_tokens"] = 10,
        ["output_tokens"] = 20,
        ["cache_read_tokens"] = 0,
        ["cache_creation_tokens"] = 0,
        ["tokens_estimated"] = false,
        ["tool_uses"] = 0,
        ["tool_results"] = 0,
        ["tool_calls"] = 0,
        ["request_size"] = 100,
        ["message_count"] = 1,
        ["client_format"] = "anthropic",
        ["upstream_format"] = "anthropic",
    };

    /// <summary>Request ids in the order the grid shows them (by aria-rowindex, not DOM order).</summary>
    private static async Task<string[]> RowOrderAsync(IPage page)
        => await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('#active-grid .ag-row[row-id]')]
              .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
              .map((row) => row.getAttribute('row-id'))
            """);

    [Fact]
    public async Task ActiveGrid_TranslatedRequest_ShowsHowManyTranslationNotesItHas()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.RequestAborted);
            await FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents);
        });
        await using var host = DashboardHost.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "upstream-secret",
            ["FAKE_BASE_URL"] = upstream.BaseUrl + "v1",
            ["FAKE_API_FORMAT"] = "openai",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        });
        await using var dashboard = await browser.NewPageAsync(host.BaseAddress);
        await dashboard.OpenAsync();
        await Expect(dashboard.ConnectionLabel).ToHaveTextAsync("Live");

        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        var call = client.PostAsync(
            "/v1/messages",
            new StringContent("""{"model":"gpt-4o-mini","max_tokens":64000,"top_k":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
            Ct);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var active = Assert.Single(host.Tracker.GetActiveRequests());

        // Two notes: top_k dropped, 64000 clamped to gpt-4o-mini's 16384.
        Assert.Equal(2, active.TranslationNotes.Count);
        await Expect(dashboard.ActiveCell(active.RequestId, "notes")).ToHaveTextAsync("2");
        release.SetResult();
        using var response = await call;
    }

    private static async Task WriteAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static long TokenCount(string text) => long.Parse(text.TrimStart('~').Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\d+ ms$|^\d+\.\d+ s$")]
    private static partial Regex LatencyText();

    [GeneratedRegex(@"^1m 4\ds$")]
    private static partial Regex MinutesText();

    [GeneratedRegex(@"^(<1s|\d+s)$")]
    private static partial Regex SecondsText();
}
