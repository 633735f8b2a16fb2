using System.Net;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>PROXY_API_KEYS labels, who-sent-it fields and rejected keys, end to end.</summary>
public sealed class KeyAttributionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_LabelledKeyAndClaudeCodeHeaders_RecordCarriesWhoSentItAndTotalsBreakDown()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["PROXY_API_KEY"] = "main-key", ["PROXY_API_KEYS"] = "alice:alice-key, ci:ci-key" });
        var body = ProviderRecordings.AnthropicRequest.Replace("\"temperature\"", "\"metadata\":{\"user_id\":\"user-42\"},\"temperature\"", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(body, stream: false) };
        request.Headers.Add("x-api-key", "alice-key");
        request.Headers.TryAddWithoutValidation("User-Agent", "claude-cli/2.1.332 (external, sdk-cli)");
        request.Headers.Add("X-Claude-Code-Session-Id", "00000000-0000-4000-8000-000000000000");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(app.Tracker.GetRecentRequests());
        Assert.Equal(("claude-cli", "2.1.332"), (entry.ClientName, entry.ClientVersion));
        Assert.Equal("00000000-0000-4000-8000-000000000000", entry.SessionId);
        Assert.Equal("user-42", entry.UserId);
        Assert.Equal("alice", entry.KeyLabel);
        var totals = app.Tracker.GetRunningTotals();
        Assert.Equal(1, totals.ByClient["claude-cli"].TotalRequests);
        Assert.Equal(1, totals.ByKey["alice"].TotalRequests);
        Assert.False(totals.ByKey.ContainsKey("ci"));
    }

    [Fact]
    public async Task Post_WrongKey_CountedPerRouteAndListedWithoutKey()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["PROXY_API_KEYS"] = "ci:ci-key" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: false) };
        request.Headers.Authorization = new("Bearer", "very-secret-wrong-key");
        request.Headers.TryAddWithoutValidation("User-Agent", "OpenAI/Python 1.99.9");

        using var response = await app.Client.SendAsync(request, Ct);
        using var metrics = await app.Client.GetAsync("/metrics/logs", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        Assert.Empty(upstream.Requests);
        var totals = app.Tracker.GetRunningTotals();
        Assert.Equal(2, totals.AuthFailures.Total);
        Assert.Equal(1, totals.AuthFailures.ByRoute["/v1/chat/completions"]);
        Assert.Equal(1, totals.AuthFailures.ByRoute["/metrics/logs"]);
        Assert.Equal(0, totals.Summary.TotalRequests);
        var failure = app.Tracker.GetRecentErrors().Single(e => e.RequestId == id);
        Assert.Equal("auth_error", failure.ErrorType);
        Assert.Equal("127.0.0.1", failure.ClientAddress);
        Assert.Equal("OpenAI/Python 1.99.9", failure.UserAgent);

        // The key appears nowhere a reader of the metrics could see it.
        using var logs = new HttpRequestMessage(HttpMethod.Get, "/metrics/logs");
        logs.Headers.Add("x-api-key", "ci-key");
        using var logsResponse = await app.Client.SendAsync(logs, Ct);
        var logsText = await logsResponse.Content.ReadAsStringAsync(Ct);
        Assert.Contains(id, logsText, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-wrong-key", logsText, StringComparison.Ordinal);
        using var totalsResponse = new HttpRequestMessage(HttpMethod.Get, "/metrics/running-totals?format=json");
        totalsResponse.Headers.Add("x-api-key", "ci-key");
        using var totalsJson = JsonDocument.Parse(await (await app.Client.SendAsync(totalsResponse, Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal(2, totalsJson.RootElement.GetProperty("auth_failures").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Cancel_WithLabelledKey_NamesTheLabel()
    {
        var upstreamCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((_, recorded) =>
        {
            upstreamCalled.TrySetResult();
            return Task.Delay(Timeout.Infinite, recorded.Aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["PROXY_API_KEYS"] = "alice:alice-key,ops:ops-key" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false) };
        request.Headers.Add("x-api-key", "alice-key");
        var call = app.Client.SendAsync(request, Ct);
        await upstreamCalled.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.Equal("alice", app.Tracker.GetActiveRequests()[0].KeyLabel);

        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/metrics/active-requests/{app.Tracker.GetActiveRequests()[0].RequestId}/cancel");
        cancel.Headers.Add("x-api-key", "ops-key");
        using var accepted = await app.Client.SendAsync(cancel, Ct);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.StartsWith("key 'ops' at ", Assert.Single(app.Tracker.GetRecentErrors()).CancelledBy, StringComparison.Ordinal);
        using var response = await call;
        Assert.Equal(499, (int)response.StatusCode);
    }
}
