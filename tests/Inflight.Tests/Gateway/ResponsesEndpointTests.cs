using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary><c>POST /v1/responses</c> and its stored-response calls against a provider that speaks the Responses API, and what is refused elsewhere.</summary>
public sealed class ResponsesEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostResponses_ResponsesUpstream_RelaysBodyByteForByteWithModelRewritten()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses?api-version=preview")
        {
            Content = new StringContent(ResponsesRecordings.Request.Replace("\"gpt-5.1-codex\"", "\"fake:gpt-5.1-codex\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "client-key");
        request.Headers.Add("openai-beta", "responses=v1");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ResponsesRecordings.Response, await response.Content.ReadAsStringAsync(Ct));
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/responses?api-version=preview", received.PathAndQuery);
        Assert.Equal(ResponsesRecordings.Request, received.Body);
        Assert.Equal("Bearer upstream-secret", received.Headers["authorization"]);
        Assert.Equal("responses=v1", received.Headers["openai-beta"]);

        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal("responses", logged.ClientFormat);
        Assert.Equal("responses", logged.UpstreamFormat);
        Assert.Equal(20, logged.InputTokens);
        Assert.Equal(100, logged.CacheReadTokens);
        Assert.Equal(30, logged.OutputTokens);
        Assert.Equal(1, logged.ToolCalls);
        Assert.Equal(1, logged.ToolUses);
        Assert.Equal(1, logged.ToolResults);
        Assert.Equal(4, logged.MessageCount);
    }

    [Fact]
    public async Task PostResponses_StreamingResponsesUpstream_IsLiveWhileStreamingAndRelaysEveryByte()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(
            ctx,
            ResponsesRecordings.StreamEvents,
            index => index == 6 ? release.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.RequestAborted) : Task.CompletedTask));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        var call = app.Client.PostAsync("/v1/responses", PassThroughTests.JsonBody(ResponsesRecordings.Request, stream: true), Ct);

        // Mid-stream (after two text deltas): the snapshot endpoint shows it streaming, with a TTFT and estimated output.
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests() is [{ OutputTokens: > 1 }]);
        using (var snapshot = JsonDocument.Parse(await app.Client.GetStringAsync("/metrics/active-requests", Ct)))
        {
            var live = Assert.Single(snapshot.RootElement.GetProperty("active_requests").EnumerateArray().ToList());
            Assert.Equal("responses", live.GetProperty("client_format").GetString());
            Assert.Equal("streaming", live.GetProperty("phase").GetString());
            Assert.True(live.GetProperty("tokens_estimated").GetBoolean());
            Assert.NotEqual(JsonValueKind.Null, live.GetProperty("ttft_ms").ValueKind);
            Assert.Equal("fake:gpt-5.1-codex", live.GetProperty("qualified_model").GetString());
        }

        release.SetResult();
        using var response = await call;
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(string.Concat(ResponsesRecordings.StreamEvents), await response.Content.ReadAsStringAsync(Ct));

        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.True(logged.IsStreaming);
        Assert.Equal(50, logged.InputTokens);
        Assert.Equal(200, logged.CacheReadTokens);
        Assert.Equal(40, logged.OutputTokens);
        Assert.False(logged.TokensEstimated);
        Assert.Equal(1, logged.ToolCalls);
    }

    [Fact]
    public async Task PostResponses_UpstreamStreamBreaks_EndsWithResponsesErrorEvent()
    {
        var sent = string.Concat(ResponsesRecordings.StreamEvents.Take(5));
        var clientHasEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            await FakeResponses.WriteEventsAsync(ctx, [sent]);
            await clientHasEvents.Task.WaitAsync(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            ctx.Abort();
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = PassThroughTests.JsonBody(ResponsesRecordings.Request, stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        var head = new byte[Encoding.UTF8.GetByteCount(sent)];
        await body.ReadExactlyAsync(head, Ct);
        clientHasEvents.SetResult();
        var text = Encoding.UTF8.GetString(head) + await new StreamReader(body).ReadToEndAsync(Ct);

        Assert.StartsWith(sent, text, StringComparison.Ordinal);
        var events = text[sent.Length..].Trim().Split("\n\n");
        Assert.Equal(2, events.Length);
        Assert.StartsWith("event: error\ndata: ", events[0], StringComparison.Ordinal);
        using var error = JsonDocument.Parse(events[0]["event: error\ndata: ".Length..]);
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
        Assert.Equal("bad_gateway", error.RootElement.GetProperty("code").GetString());
        Assert.Contains("upstream stream broke", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Then the terminal event Responses clients wait for.
        Assert.StartsWith("event: response.failed\ndata: ", events[1], StringComparison.Ordinal);
        using var failed = JsonDocument.Parse(events[1]["event: response.failed\ndata: ".Length..]);
        Assert.Equal("failed", failed.RootElement.GetProperty("response").GetProperty("status").GetString());
        Assert.Contains("upstream stream broke", failed.RootElement.GetProperty("response").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResponses_UpstreamRateLimited_PassesStatusAndBodyOn()
    {
        const string Limited = """{"error":{"message":"Rate limit reached. Please try again in 2s.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, Limited, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync("/v1/responses", PassThroughTests.JsonBody(ResponsesRecordings.Request, stream: true), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(Limited, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task PostResponses_UnknownProviderPrefix_Answers404InOpenAIShape()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent("""{"model":"nope:gpt-5","input":"hi"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await ErrorOfAsync(response);
        Assert.Contains("Unknown provider 'nope'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostResponses_AliasedModel_GoesUpstreamAsTheAliasTarget()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses", new() { ["FAKE_ALIAS_CODEX"] = "gpt-5.2-codex" });

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5.1-codex","input":"hi"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"model":"gpt-5.2-codex","input":"hi"}""", Assert.Single(upstream.Requests).Body);
    }

    [Fact]
    public async Task PostResponses_WithoutProxyKey_Answers401InOpenAIShape()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses", new() { ["PROXY_API_KEY"] = "gateway-key" });

        using var refused = await app.Client.PostAsync("/v1/responses", new StringContent(ResponsesRecordings.Request, Encoding.UTF8, "application/json"), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = new StringContent(ResponsesRecordings.Request, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", "gateway-key");
        using var accepted = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("authentication_error", (await ErrorOfAsync(refused)).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5","input":42}""", "'input' must be a string or an array")]
    [InlineData("""{"model":"gpt-5"}""", "'input' is required")]
    [InlineData("""{"input":"hi"}""", "'model' is required")]
    public async Task PostResponses_BadBody_Answers400NamingTheField(string body, string expected)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ErrorOfAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostResponses_PreviousResponseIdToChatProvider_Answers400ThatExplainsStatelessness()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent("""{"model":"gpt-5","previous_response_id":"resp_9","input":"and then?"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await ErrorOfAsync(response)).GetProperty("message").GetString()!;
        Assert.Contains("'previous_response_id'", message, StringComparison.Ordinal);
        Assert.Contains("stateless", message, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
        Assert.Equal("responses", Assert.Single(app.Tracker.GetRecentErrors()).ClientFormat);
    }

    [Fact]
    public async Task PostResponses_PreviousResponseIdToResponsesProvider_PassesThrough()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");
        const string Body = """{"model":"gpt-5","previous_response_id":"resp_9","store":true,"input":"and then?"}""";

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent(Body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body, Assert.Single(upstream.Requests).Body);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5","messages":[{"role":"user","content":"hi"}]}""", "Chat Completions")]
    [InlineData("/v1/messages", """{"model":"gpt-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", "Anthropic Messages")]
    public async Task PostOtherFormats_ResponsesProvider_Answers400InClientShapeNamingTheWayOut(string path, string body, string api)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOfAsync(response);
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains($"does not translate {api} requests", message, StringComparison.Ordinal);
        Assert.Contains("FAKE_API_FORMAT=responses", message, StringComparison.Ordinal);
        Assert.Contains("POST /v1/responses", message, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("GET", "/v1/responses/resp_1?include[]=message.output_text.logprobs")]
    [InlineData("DELETE", "/v1/responses/resp_1")]
    [InlineData("GET", "/v1/responses/resp_1/input_items?limit=5")]
    [InlineData("POST", "/v1/responses/resp_1/cancel")]
    public async Task StoredResponseCalls_ResponsesDefaultProvider_ArePassedThrough(string method, string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ResponsesRecordings.Response, await response.Content.ReadAsStringAsync(Ct));
        var received = Assert.Single(upstream.Requests);
        Assert.Equal(method, received.Method);
        Assert.Equal(path, Uri.UnescapeDataString(received.PathAndQuery));
        Assert.Equal("Bearer upstream-secret", received.Headers["authorization"]);
    }

    [Fact]
    public async Task GetStoredResponse_ChatDefaultProvider_Answers400ThatExplainsStatelessness()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.GetAsync("/v1/responses/resp_1", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await ErrorOfAsync(response)).GetProperty("message").GetString()!;
        Assert.Contains("stateless", message, StringComparison.Ordinal);
        Assert.Contains("FAKE_API_FORMAT=responses", message, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task GetResponses_WebSocketUpgrade_Answers426SoCodexFallsBackToHttp()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/responses");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Contains("POST /v1/responses", (await ErrorOfAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostCompact_AnyProvider_Answers404InOpenAIShape()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync("/v1/responses/compact", new StringContent("""{"model":"gpt-5","input":[]}""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("POST /v1/responses", (await ErrorOfAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task UnknownV1Path_NotFoundListsTheResponsesEndpoint()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ResponsesRecordings.Response));
        await using var app = GatewayApp.StartWithUpstream(upstream, "responses");

        using var response = await app.Client.PostAsync("/v1/completions", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("POST /v1/responses", (await ErrorOfAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostResponses_DemoProvider_AnswersInResponsesFormatThroughChat(bool stream)
    {
        await using var app = GatewayApp.Start(new Dictionary<string, string?>
        {
            ["INFLIGHT_DEMO"] = "true",
            ["DEMO_TRAFFIC"] = "false",
            ["DEMO_ERROR_RATE"] = "0",
            ["DEMO_RATE_LIMIT_RATE"] = "0",
            ["DEMO_STREAM_BREAK_RATE"] = "0",
            ["DEMO_TOOL_RATE"] = "0",
            ["DEMO_MIN_TTFT_MS"] = "0",
            ["DEMO_MAX_TTFT_MS"] = "0",
        });
        var body = "{\"model\":\"demo:gpt-demo\",\"input\":\"Hello\",\"stream\":" + (stream ? "true" : "false") + "}";

        using var response = await app.Client.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (stream)
        {
            Assert.StartsWith("event: response.created\n", text, StringComparison.Ordinal);
            Assert.Contains("event: response.output_text.delta\n", text, StringComparison.Ordinal);
            Assert.Contains("event: response.completed\n", text, StringComparison.Ordinal);
        }
        else
        {
            using var document = JsonDocument.Parse(text);
            Assert.Equal("response", document.RootElement.GetProperty("object").GetString());
            Assert.Equal("completed", document.RootElement.GetProperty("status").GetString());
            Assert.Equal("message", document.RootElement.GetProperty("output")[0].GetProperty("type").GetString());
        }

        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal("responses", logged.ClientFormat);
        Assert.Equal("openai", logged.UpstreamFormat);
        Assert.True(logged.OutputTokens > 0);
    }

    private static async Task<JsonElement> ErrorOfAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return document.RootElement.GetProperty("error").Clone();
    }
}
