using System.Net;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Translation;

/// <summary>Cross-format requests through the real gateway, checked on the wire.</summary>
public sealed class TranslatedGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_OpenAIUpstream_SendsChatCompletionsAndAnswersAnthropicMessage()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/chat/completions", received.PathAndQuery);
        Assert.Equal("Bearer upstream-secret", received.Headers["authorization"]);
        using var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("message", message.RootElement.GetProperty("type").GetString());
        Assert.Equal("end_turn", message.RootElement.GetProperty("stop_reason").GetString());
        Assert.Equal("Hello! How can I help?", message.RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal(("anthropic", "openai"), (logged.ClientFormat, logged.UpstreamFormat));
        Assert.Equal(19, logged.InputTokens);
        Assert.Equal(10, logged.OutputTokens);
    }

    [Fact]
    public async Task PostMessages_OpenAIUpstreamStreaming_EmitsAnthropicEventSequence()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]).ToList();
        Assert.Equal("event: message_start", events[0]);
        Assert.Contains("event: content_block_delta", events);
        Assert.Equal(["event: message_delta", "event: message_stop"], events[^2..]);
        Assert.Contains("\"input_tokens\":19", text, StringComparison.Ordinal);
        Assert.Contains("\"include_usage\":true", Assert.Single(upstream.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostMessages_SilentOpenAIUpstream_SendsPingsUntilTokensFlow()
    {
        var clientSawPing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A reasoning model thinking: headers sent, no chunk until the client has been kept alive.
        await using var upstream = await FakeUpstream.StartAsync(
            (ctx, _) => FakeResponses.WriteEventsWhenAsync(ctx, clientSawPing.Task, string.Concat(ProviderRecordings.OpenAIStreamEvents)));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["STREAM_PING_INTERVAL"] = "0.05" });

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var seen = await StreamLines.ReadAllAsync(response, line => line == "event: ping", clientSawPing, Ct);

        Assert.Equal("event: message_start", seen[0]);
        Assert.InRange(seen.IndexOf("event: ping"), 1, seen.IndexOf("event: content_block_start"));
        Assert.Equal("event: message_stop", seen.Last(l => l.StartsWith("event:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PostChatCompletions_AnthropicUpstreamStreaming_EmitsChunksAndDone()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: true), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("/v1/messages", Assert.Single(upstream.Requests).PathAndQuery);
        Assert.Contains("\"object\":\"chat.completion.chunk\"", text, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", text, StringComparison.Ordinal);
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal(25, logged.InputTokens);
        Assert.Equal(15, logged.OutputTokens);
    }

    [Fact]
    public async Task PostMessages_OpenAIUpstream429_AnswersAnthropicRateLimitError()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            ctx.Response.Headers.RetryAfter = "3";
            return FakeResponses.WriteJsonAsync(ctx, """{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3", response.Headers.RetryAfter?.ToString());
        FaultTests.AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "rate_limit_error");
    }

    [Fact]
    public async Task PostChatCompletions_NGreaterThanOneToAnthropic_Returns400InOpenAIFormat()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var body = ProviderRecordings.OpenAIRequest.TrimEnd('}') + ",\"n\":2}";

        using var response = await app.Client.PostAsync("/v1/chat/completions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        FaultTests.AssertErrorShape("/v1/chat/completions", await response.Content.ReadAsStringAsync(Ct), "invalid_request_error");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostCountTokens_OpenAIProvider_CountsLocally()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages/count_tokens", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.InRange(json.RootElement.GetProperty("input_tokens").GetInt32(), 1, 50);
        Assert.Empty(upstream.Requests);
    }
}
