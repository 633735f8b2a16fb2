using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

public sealed class PassThroughTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_AnthropicUpstream_RelaysBodyByteForByteAndSwapsKey()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        // Claude Code calls /v1/messages?beta=true; the query goes along.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent(ProviderRecordings.AnthropicRequest.Replace("claude-sonnet-4-5", "fake:claude-sonnet-4-5", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "client-key");
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "prompt-caching-2024-07-31");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProviderRecordings.AnthropicMessage, await response.Content.ReadAsStringAsync(Ct));
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/messages?beta=true", received.PathAndQuery);
        Assert.Equal(ProviderRecordings.AnthropicRequest, received.Body);
        Assert.Equal("upstream-secret", received.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", received.Headers["anthropic-version"]);
        Assert.Equal("prompt-caching-2024-07-31", received.Headers["anthropic-beta"]);
        Assert.False(received.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task PostChatCompletions_OpenAIUpstream_RelaysBodyAndUsesBearerKey()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(ProviderRecordings.OpenAIRequest, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "client-key");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProviderRecordings.OpenAICompletion, await response.Content.ReadAsStringAsync(Ct));
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", received.PathAndQuery);
        Assert.Equal(ProviderRecordings.OpenAIRequest, received.Body);
        Assert.Equal("Bearer upstream-secret", received.Headers["authorization"]);
    }

    [Fact]
    public async Task PostMessages_StreamingUpstream_FirstEventArrivesBeforeUpstreamFinishes()
    {
        var releaseRest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(
            ctx,
            ProviderRecordings.AnthropicStreamEvents,
            index => index == 1 ? releaseRest.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.RequestAborted) : Task.CompletedTask));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = JsonBody(ProviderRecordings.AnthropicRequest, stream: true) };
        using var response = await app.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);

        // The upstream is holding back everything after the first event until we have read it.
        var first = await ReadAtLeastAsync(body, ProviderRecordings.AnthropicStreamEvents[0].Length).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(ProviderRecordings.AnthropicStreamEvents[0], first);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        releaseRest.SetResult();

        var rest = await new StreamReader(body).ReadToEndAsync(Ct);
        Assert.Equal(string.Concat(ProviderRecordings.AnthropicStreamEvents), first + rest);
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithUsageRequested_RelaysStreamUnchanged()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var requestJson = ProviderRecordings.OpenAIRequest.TrimEnd('}') + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";

        using var response = await app.Client.PostAsync("/v1/chat/completions", new StringContent(requestJson, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(string.Concat(ProviderRecordings.OpenAIStreamEvents), await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(requestJson, Assert.Single(upstream.Requests).Body);
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithoutUsageRequested_AsksUpstreamForUsage()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/chat/completions", JsonBody(ProviderRecordings.OpenAIRequest, stream: true), Ct);
        await response.Content.ReadAsStringAsync(Ct);

        using var sent = JsonDocument.Parse(Assert.Single(upstream.Requests).Body);
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("gpt-4o-mini", sent.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task PostChatCompletions_StreamingWithoutUsageRequested_HidesUsageChunkButCountsIt()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/chat/completions", JsonBody(ProviderRecordings.OpenAIRequest, stream: true), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        var withoutUsage = ProviderRecordings.OpenAIStreamEvents.Where(e => !e.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.Equal(string.Concat(withoutUsage), text);
        var logged = await FinishedRequestAsync(app);
        Assert.Equal(19, logged.InputTokens);
        Assert.Equal(10, logged.OutputTokens);
        Assert.False(logged.TokensEstimated);
    }

    [Fact]
    public async Task PostMessages_Streaming_TracksProviderUsageAndTtft()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(
            ctx,
            ProviderRecordings.AnthropicStreamEvents,
            index => index == 4 ? release.Task.WaitAsync(TimeSpan.FromSeconds(30), ctx.RequestAborted) : Task.CompletedTask));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        var call = app.Client.PostAsync("/v1/messages", JsonBody(ProviderRecordings.AnthropicRequest, stream: true), Ct);

        // Mid-stream: the record shows streaming, a TTFT, the provider's input count and an estimate of output so far.
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.GetActiveRequests() is [{ OutputTokens: > 1, InputTokens: 25 }]);
        var live = Assert.Single(app.Tracker.GetActiveRequests());
        Assert.Equal("streaming", live.Phase);
        Assert.NotNull(live.TtftMs);
        Assert.True(live.TokensEstimated);
        Assert.Equal("fake", live.Provider);
        Assert.Equal("anthropic", live.ClientFormat);
        release.SetResult();
        using var response = await call;
        await response.Content.ReadAsStringAsync(Ct);

        var logged = await FinishedRequestAsync(app);
        Assert.Equal(25, logged.InputTokens);
        Assert.Equal(15, logged.OutputTokens);
        Assert.False(logged.TokensEstimated);
    }

    /// <summary>The finished request's entry in the tracker's log, once it has left the active set.</summary>
    internal static async Task<Inflight.Tracking.RequestLogEntry> FinishedRequestAsync(GatewayApp app)
    {
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0 && app.Tracker.GetRecentRequests(1).Count == 1);
        return app.Tracker.GetRecentRequests(1)[0];
    }

    internal static StringContent JsonBody(string json, bool stream)
        => new(stream ? json.TrimEnd('}') + ",\"stream\":true}" : json, Encoding.UTF8, "application/json");

    private static async Task<string> ReadAtLeastAsync(Stream stream, int bytes)
    {
        var buffer = new byte[bytes];
        await stream.ReadExactlyAsync(buffer, Ct);
        return Encoding.UTF8.GetString(buffer);
    }
}
