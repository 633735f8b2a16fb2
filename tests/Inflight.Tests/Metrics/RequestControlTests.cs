using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;
using Inflight.Tracking;

namespace Inflight.Tests.Metrics;

/// <summary>The request id header, the request detail endpoint and cancel, end to end over real sockets.</summary>
public sealed class RequestControlTests
{
    private static readonly TimeSpan s_safety = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", "anthropic", false)]
    [InlineData("/v1/messages", "anthropic", true)]
    [InlineData("/v1/chat/completions", "openai", false)]
    [InlineData("/v1/chat/completions", "openai", true)]
    public async Task Post_Success_ReturnsRequestIdThatDetailFinds(string path, string format, bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => stream
            ? FakeResponses.WriteEventsAsync(ctx, format == "anthropic" ? ProviderRecordings.AnthropicStreamEvents : ProviderRecordings.OpenAIStreamEvents)
            : FakeResponses.WriteJsonAsync(ctx, format == "anthropic" ? ProviderRecordings.AnthropicMessage : ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, format);

        using var response = await app.Client.PostAsync(path, PassThroughTests.JsonBody(RequestFor(format), stream), Ct);
        await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        Assert.Equal(id, Assert.Single(app.Tracker.GetRecentRequests()).RequestId);
        using var detail = await GetJsonAsync(app, $"/metrics/active-requests/{id}");
        var root = detail.RootElement;
        Assert.Equal("finished", root.GetProperty("state").GetString());
        Assert.Equal(id, root.GetProperty("record").GetProperty("request_id").GetString());
        Assert.Equal("success", root.GetProperty("record").GetProperty("status").GetString());
        Assert.Equal(200, root.GetProperty("upstream_status").GetInt32());
        var timeline = root.GetProperty("timeline");
        foreach (var step in new[] { "received_at", "routed_at", "upstream_headers_at", "first_token_at", "last_chunk_at", "finished_at" })
        {
            Assert.True(timeline.GetProperty(step).GetDouble() > 1_600_000_000, step);
        }

        Assert.True(timeline.GetProperty("received_at").GetDouble() <= timeline.GetProperty("routed_at").GetDouble());
        Assert.True(timeline.GetProperty("upstream_headers_at").GetDouble() <= timeline.GetProperty("first_token_at").GetDouble());
        Assert.True(timeline.GetProperty("last_chunk_at").GetDouble() <= timeline.GetProperty("finished_at").GetDouble());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("translation_notes").ValueKind);
        Assert.Equal(JsonValueKind.String, root.GetProperty("client_name").ValueKind);
    }

    [Fact]
    public async Task Post_RejectedBeforeUpstream_StillReturnsRequestIdInLogs()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{not json", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.5.0");
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        var rejected = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(id, rejected.RequestId);
        Assert.Equal(("curl", "8.5.0"), (rejected.ClientName, rejected.ClientVersion));
        using var detail = await GetJsonAsync(app, $"/metrics/active-requests/{id}");
        Assert.Equal("bad_request", detail.RootElement.GetProperty("record").GetProperty("error_type").GetString());
    }

    [Fact]
    public async Task GetDetail_ActiveRequest_ShowsActiveRecordAndTimelineSoFar()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents, i => i == 1 ? release.Task : Task.CompletedTask));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        using var response = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true) }, HttpCompletionOption.ResponseHeadersRead, Ct);
        var id = Assert.Single(response.Headers.GetValues("x-inflight-request-id"));
        await WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests().Any(r => r.RequestId == id && r.Phase == RequestPhase.Streaming));

        using var detail = await GetJsonAsync(app, $"/metrics/active-requests/{id}");

        var root = detail.RootElement;
        Assert.Equal("active", root.GetProperty("state").GetString());
        Assert.Equal("streaming", root.GetProperty("record").GetProperty("phase").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("timeline").GetProperty("finished_at").ValueKind);
        Assert.Equal(JsonValueKind.Number, root.GetProperty("timeline").GetProperty("first_token_at").ValueKind);
        release.SetResult();
        await response.Content.ReadAsStringAsync(Ct);
    }

    [Theory]
    [InlineData("GET", "/metrics/active-requests/req_nope")]
    [InlineData("POST", "/metrics/active-requests/req_nope/cancel")]
    public async Task Metrics_UnknownRequestId_Returns404Json(string method, string path)
    {
        await using var app = GatewayApp.Start(new Dictionary<string, string?> { ["FAKE_API_KEY"] = "k", ["FAKE_BASE_URL"] = "http://127.0.0.1:9/v1", ["VDM_DEFAULT_PROVIDER"] = "fake" });

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("not_found", body.RootElement.GetProperty("error").GetString());
        Assert.Contains("req_nope", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Client format, upstream format, streaming: pass-through both ways and a translated stream.</summary>
    [Theory]
    [InlineData("anthropic", "anthropic", true)]
    [InlineData("anthropic", "anthropic", false)]
    [InlineData("openai", "openai", true)]
    [InlineData("openai", "openai", false)]
    [InlineData("anthropic", "openai", true)]
    [InlineData("openai", "anthropic", true)]
    [InlineData("responses", "responses", true)]
    [InlineData("responses", "responses", false)]
    [InlineData("responses", "anthropic", true)]
    [InlineData("responses", "openai", true)]
    [InlineData("responses", "anthropic", false)]
    public async Task Cancel_ActiveRequest_AbortsUpstreamAndClientGetsErrorInItsFormat(string clientFormat, string upstreamFormat, bool stream)
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, recorded) =>
        {
            upstreamCalled.TrySetResult();
            using var registration = recorded.Aborted.Register(() => upstreamAborted.TrySetResult());
            if (stream)
            {
                var events = upstreamFormat switch
                {
                    "anthropic" => ProviderRecordings.AnthropicStreamEvents,
                    "responses" => ResponsesRecordings.StreamEvents,
                    _ => ProviderRecordings.OpenAIStreamEvents,
                };
                await FakeResponses.WriteEventsAsync(ctx, events.Take(2), _ => Task.CompletedTask);
            }

            await Task.Delay(Timeout.Infinite, recorded.Aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat);
        var path = clientFormat switch { "anthropic" => "/v1/messages", "responses" => "/v1/responses", _ => "/v1/chat/completions" };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = PassThroughTests.JsonBody(RequestFor(clientFormat), stream) };
        var call = app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await upstreamCalled.Task.WaitAsync(s_safety, Ct);
        await WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests().Any(r => !stream || r.Phase == RequestPhase.Streaming));
        var id = app.Tracker.GetActiveRequests()[0].RequestId;

        using var cancel = await app.Client.PostAsync($"/metrics/active-requests/{id}/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        using (var final = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync(Ct)))
        {
            Assert.Equal(id, final.RootElement.GetProperty("request_id").GetString());
            Assert.Equal("cancelled", final.RootElement.GetProperty("error_type").GetString());
            Assert.StartsWith("anonymous", final.RootElement.GetProperty("cancelled_by").GetString(), StringComparison.Ordinal);
        }

        await upstreamAborted.Task.WaitAsync(s_safety, Ct);
        using var response = await call.WaitAsync(s_safety, Ct);
        Assert.Equal(id, Assert.Single(response.Headers.GetValues("x-inflight-request-id")));
        var body = await response.Content.ReadAsStringAsync(Ct).WaitAsync(s_safety, Ct);
        if (stream)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var lastEvent = body.TrimEnd().Split("\n\n")[^1];
            var data = lastEvent[(lastEvent.IndexOf("data: ", StringComparison.Ordinal) + 6)..];
            if (clientFormat == "anthropic")
            {
                Assert.StartsWith("event: error\n", lastEvent, StringComparison.Ordinal);
            }

            if (clientFormat == "responses")
            {
                // The terminal event Codex and the OpenAI SDKs wait for.
                Assert.StartsWith("event: response.failed\n", lastEvent, StringComparison.Ordinal);
                using var failed = JsonDocument.Parse(data);
                Assert.Equal("response.failed", failed.RootElement.GetProperty("type").GetString());
                Assert.Equal("failed", failed.RootElement.GetProperty("response").GetProperty("status").GetString());
                Assert.Contains("cancelled by an operator", failed.RootElement.GetProperty("response").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            }
            else
            {
                AssertCancelError(clientFormat, data);
            }
        }
        else
        {
            Assert.Equal(499, (int)response.StatusCode);
            AssertCancelError(clientFormat, body);
        }

        var logged = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(ErrorTypes.Cancelled, logged.ErrorType);
        Assert.Equal(id, logged.RequestId);
        Assert.Empty(app.Tracker.GetActiveRequests());

        // Once finished it cannot be cancelled again.
        using var again = await app.Client.PostAsync($"/metrics/active-requests/{id}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Cancel_WithProxyKey_NeedsKeyAndNamesWhoInLogs()
    {
        await using var upstream = await FakeUpstream.StartAsync((_, recorded) => Task.Delay(Timeout.Infinite, recorded.Aborted).ContinueWith(static _ => { }, TaskScheduler.Default));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["PROXY_API_KEY"] = "proxy-secret" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false) };
        request.Headers.Add("x-api-key", "proxy-secret");
        var call = app.Client.SendAsync(request, Ct);
        await WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 1);
        var id = app.Tracker.GetActiveRequests()[0].RequestId;

        using var refused = await app.Client.PostAsync($"/metrics/active-requests/{id}/cancel", null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(1, app.Tracker.ActiveCount);

        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"/metrics/active-requests/{id}/cancel");
        cancel.Headers.Add("x-api-key", "proxy-secret");
        using var accepted = await app.Client.SendAsync(cancel, Ct);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using var response = await call.WaitAsync(s_safety, Ct);
        Assert.Equal(499, (int)response.StatusCode);
        using var logs = new HttpRequestMessage(HttpMethod.Get, "/metrics/logs");
        logs.Headers.Add("x-api-key", "proxy-secret");
        using var logsResponse = await app.Client.SendAsync(logs, Ct);
        using var logsBody = JsonDocument.Parse(await logsResponse.Content.ReadAsStringAsync(Ct));
        var entry = logsBody.RootElement.GetProperty("recent_errors")[0];
        Assert.Equal(id, entry.GetProperty("request_id").GetString());
        Assert.Equal("cancelled", entry.GetProperty("error_type").GetString());
        Assert.StartsWith("key 'default' at ", entry.GetProperty("cancelled_by").GetString(), StringComparison.Ordinal);
        Assert.Contains("cancelled by an operator", entry.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_FromOtherOrigin_IsRefused()
    {
        await using var upstream = await FakeUpstream.StartAsync((_, recorded) => Task.Delay(Timeout.Infinite, recorded.Aborted).ContinueWith(static _ => { }, TaskScheduler.Default));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var call = app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);
        await WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 1);
        var id = app.Tracker.GetActiveRequests()[0].RequestId;

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, $"/metrics/active-requests/{id}/cancel");
        crossSite.Headers.Add("Origin", "https://evil.example");
        crossSite.Headers.Add("x-inflight-csrf", "1");
        using var refused = await app.Client.SendAsync(crossSite, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var noHeader = new HttpRequestMessage(HttpMethod.Post, $"/metrics/active-requests/{id}/cancel");
        noHeader.Headers.Add("Origin", app.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var refusedToo = await app.Client.SendAsync(noHeader, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refusedToo.StatusCode);
        Assert.Equal(1, app.Tracker.ActiveCount);

        using var page = new HttpRequestMessage(HttpMethod.Post, $"/metrics/active-requests/{id}/cancel");
        page.Headers.Add("Origin", app.BaseAddress.GetLeftPart(UriPartial.Authority));
        page.Headers.Add("x-inflight-csrf", "1");
        using var accepted = await app.Client.SendAsync(page, Ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        using var response = await call.WaitAsync(s_safety, Ct);
        Assert.Equal(499, (int)response.StatusCode);
    }

    internal static string RequestFor(string format) => format switch
    {
        "anthropic" => ProviderRecordings.AnthropicRequest,
        "responses" => ResponsesRecordings.Request,
        _ => ProviderRecordings.OpenAIRequest,
    };

    private static void AssertCancelError(string clientFormat, string json)
    {
        using var error = JsonDocument.Parse(json);
        var root = error.RootElement;
        if (clientFormat == "anthropic")
        {
            Assert.Equal("error", root.GetProperty("type").GetString());
        }

        Assert.Contains("cancelled by an operator", root.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    internal static async Task<JsonDocument> GetJsonAsync(GatewayApp app, string path)
    {
        using var response = await app.Client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    internal static async Task WaitUntilAsync(RequestTracker tracker, Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(s_safety);
        var version = tracker.Version;
        while (!condition())
        {
            version = await tracker.WaitForChangeAsync(version, timeout.Token);
        }
    }
}
