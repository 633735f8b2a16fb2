using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Inflight.Tracking;
using Microsoft.Extensions.DependencyInjection;

namespace Inflight.Tests.Gateway;

public sealed class FaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", "{not json", "invalid_request_error")]
    [InlineData("/v1/messages", "{\"messages\":[]}", "invalid_request_error")]
    [InlineData("/v1/messages", "{\"model\":\"m\"}", "invalid_request_error")]
    [InlineData("/v1/chat/completions", "[1,2]", "invalid_request_error")]
    public async Task Post_MalformedBody_Returns400InClientFormat(string path, string body, string expectedType)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, path.Contains("messages", StringComparison.Ordinal) ? "anthropic" : "openai");

        using var response = await app.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertErrorShape(path, await response.Content.ReadAsStringAsync(Ct), expectedType);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostMessages_BodyOverLimit_Returns413()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["MAX_REQUEST_BYTES"] = "1000" });
        var big = ProviderRecordings.AnthropicRequest.Replace("Hello", new string('x', 5000), StringComparison.Ordinal);

        using var response = await app.Client.PostAsync("/v1/messages", new StringContent(big, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "request_too_large");
    }

    [Fact]
    public async Task PostCountTokens_BodyOverLimit_Returns413WithoutCallingUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{\"input_tokens\":1}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["MAX_REQUEST_BYTES"] = "1000" });
        var big = ProviderRecordings.AnthropicRequest.Replace("Hello", new string('x', 5000), StringComparison.Ordinal);

        using var response = await app.Client.PostAsync("/v1/messages/count_tokens", new StringContent(big, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "request_too_large");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostChatCompletions_UpstreamUnreachable_Returns502AndRecordsError()
    {
        await using var app = GatewayApp.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "k",
            ["FAKE_BASE_URL"] = $"http://127.0.0.1:{ClosedPort()}/v1",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        });

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        AssertErrorShape("/v1/chat/completions", await response.Content.ReadAsStringAsync(Ct), "server_error");
        AssertOneTypedError(app, "upstream_error", 502);
    }

    [Fact]
    public async Task PostMessages_UpstreamTooSlow_Returns504()
    {
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) => await Task.Delay(Timeout.Infinite, ctx.RequestAborted));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", new() { ["REQUEST_TIMEOUT"] = "0.3" });

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "timeout_error");
        AssertOneTypedError(app, "upstream_timeout", 504);
    }

    [Fact]
    public async Task PostMessages_Upstream429_PassesStatusBodyAndRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            ctx.Response.Headers.RetryAfter = "17";
            return FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicRateLimit, 429);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("17", response.Headers.RetryAfter?.ToString());
        Assert.Equal(ProviderRecordings.AnthropicRateLimit, await response.Content.ReadAsStringAsync(Ct));
        AssertOneTypedError(app, "rate_limit", 429);
    }

    [Fact]
    public async Task PostChatCompletions_Upstream500_PassesStatusAndBody()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAIServerError, 500));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(ProviderRecordings.OpenAIServerError, await response.Content.ReadAsStringAsync(Ct));
        AssertOneTypedError(app, "upstream_http_error", 500);
    }

    [Fact]
    public async Task PostMessages_UpstreamStreamBreaks_EndsWithAnthropicErrorEvent()
    {
        var (text, error) = await RunBrokenStreamAsync("anthropic", "/v1/messages", ProviderRecordings.AnthropicRequest, ProviderRecordings.AnthropicStreamEvents.Take(4).ToArray());

        Assert.StartsWith(string.Concat(ProviderRecordings.AnthropicStreamEvents.Take(4)), text, StringComparison.Ordinal);
        Assert.Contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"", text, StringComparison.Ordinal);
        Assert.Equal("streaming_error", error.ErrorType);
        Assert.Equal(25, error.InputTokens);
        Assert.True(error.OutputTokens > 1 && error.TokensEstimated);
    }

    [Fact]
    public async Task PostChatCompletions_UpstreamStreamBreaks_EndsWithOpenAIErrorChunk()
    {
        var (text, error) = await RunBrokenStreamAsync("openai", "/v1/chat/completions", ProviderRecordings.OpenAIRequest, ProviderRecordings.OpenAIStreamEvents.Take(2).ToArray());

        Assert.StartsWith(string.Concat(ProviderRecordings.OpenAIStreamEvents.Take(2)), text, StringComparison.Ordinal);
        Assert.Contains("data: {\"error\":{\"message\":\"The upstream stream broke", text, StringComparison.Ordinal);
        Assert.Equal("streaming_error", error.ErrorType);
        Assert.True(error.OutputTokens > 0 && error.TokensEstimated);
    }

    /// <summary>The upstream sends <paramref name="sent"/>, waits until the client has read them, then drops the connection.</summary>
    private static async Task<(string Text, Inflight.Tracking.RequestLogEntry Error)> RunBrokenStreamAsync(string format, string path, string requestJson, string[] sent)
    {
        var clientHasEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            await FakeResponses.WriteEventsAsync(ctx, sent);
            await clientHasEvents.Task.WaitAsync(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            ctx.Abort();
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, format);

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, path) { Content = PassThroughTests.JsonBody(requestJson, stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        var expected = Encoding.UTF8.GetByteCount(string.Concat(sent));
        var head = new byte[expected];
        await body.ReadExactlyAsync(head, Ct);
        clientHasEvents.SetResult();
        var rest = await new StreamReader(body).ReadToEndAsync(Ct);

        await WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        return (Encoding.UTF8.GetString(head) + rest, Assert.Single(app.Tracker.GetRecentErrors()));
    }

    [Fact]
    public async Task PostMessages_ClientDisconnects_CancelsUpstreamAndFinalizes()
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstEventSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.RequestAborted.Register(() => upstreamAborted.TrySetResult());
            await FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents.Take(1));
            firstEventSent.SetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using (var clientCts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var response = await app.Client.SendAsync(
                new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true) },
                HttpCompletionOption.ResponseHeadersRead,
                clientCts.Token);
            await firstEventSent.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Single(app.Tracker.GetActiveRequests());
            response.Dispose();
            clientCts.Cancel();
        }

        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        AssertOneTypedError(app, "client_disconnect", null);
    }

    /// <summary>Exactly one error entry, of the given type, and nothing left active.</summary>
    private static void AssertOneTypedError(GatewayApp app, string errorType, int? status)
    {
        Assert.Equal(0, app.Tracker.ActiveCount);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(errorType, error.ErrorType);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task PostMessages_GatewayBug_Answers500InClientFormatAndFinalizesTheRequest()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));

        // A clock that fails when the relay arms its timeout stands in for any unexpected exception.
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic", services: s => s.AddSingleton<TimeProvider>(new TimerlessTimeProvider()));

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "api_error");
        AssertOneTypedError(app, "unexpected_error", null);
    }

    private sealed class TimerlessTimeProvider : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => throw new InvalidOperationException("No timers here.");
    }

    internal static async Task WaitUntilAsync(RequestTracker tracker, Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A safety net only: the condition usually holds within milliseconds, but a loaded CI machine can stall for seconds.
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var version = tracker.Version;
        while (!condition())
        {
            version = await tracker.WaitForChangeAsync(version, timeout.Token);
        }
    }

    internal static void AssertErrorShape(string path, string body, string expectedType)
    {
        using var json = JsonDocument.Parse(body);
        if (path.StartsWith("/v1/messages", StringComparison.Ordinal))
        {
            Assert.Equal("error", json.RootElement.GetProperty("type").GetString());
            Assert.Equal(expectedType, json.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        else
        {
            Assert.Equal(expectedType, json.RootElement.GetProperty("error").GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("error").GetProperty("message").GetString()));
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
