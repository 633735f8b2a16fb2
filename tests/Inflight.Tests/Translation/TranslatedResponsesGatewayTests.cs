using System.Net;
using System.Text;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Translation;

/// <summary><c>POST /v1/responses</c> to Chat Completions and Anthropic providers: the gateway's side of the translation (keep-alives, errors, tracking).</summary>
public sealed class TranslatedResponsesGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostResponses_SilentChatUpstream_SendsPingCommentsThenTheTranslatedStream()
    {
        var clientSawPing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // A reasoning model thinking: headers sent, no chunk until the client has been kept alive.
        await using var upstream = await FakeUpstream.StartAsync(
            (ctx, _) => FakeResponses.WriteEventsWhenAsync(ctx, clientSawPing.Task, string.Concat(ProviderRecordings.OpenAIStreamEvents)));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["STREAM_PING_INTERVAL"] = "0.05" });

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("""{"model":"gpt-4o-mini","input":"Hello","stream":true}""") },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var seen = await StreamLines.ReadAllAsync(response, line => line.StartsWith(':'), clientSawPing, Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.InRange(seen.FindIndex(l => l.StartsWith(':')), 0, seen.IndexOf("event: response.created"));
        Assert.Equal("event: response.completed", seen.Last(l => l.StartsWith("event:", StringComparison.Ordinal)));
        Assert.Equal("/v1/chat/completions", Assert.Single(upstream.Requests).PathAndQuery);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public async Task PostResponses_TranslatedStream_IsTrackedWithBothFormatsAndProviderUsage(string providerFormat)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ToolRoundTripProvider(providerFormat).HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, providerFormat);

        using var response = await app.Client.PostAsync("/v1/responses", Body(ResponsesRecordings.Request.TrimEnd('}') + ",\"stream\":true}"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        // The request carries a tool result back, so the provider answers with its final text.
        Assert.Contains("event: response.completed", text, StringComparison.Ordinal);
        Assert.Contains(ToolRoundTripProvider.FinalAnswer, text, StringComparison.Ordinal);
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal("responses", logged.ClientFormat);
        Assert.Equal(providerFormat, logged.UpstreamFormat);
        Assert.Equal(4, logged.MessageCount);
        Assert.Equal(1, logged.ToolUses);
        Assert.Equal(1, logged.ToolResults);
        Assert.Equal(950, logged.InputTokens);
        Assert.Equal(10, logged.OutputTokens);
        Assert.False(logged.TokensEstimated);
    }

    [Fact]
    public async Task PostResponses_AnthropicUpstreamRateLimited_AnswersInOpenAIShapeWithTheStatus()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicRateLimit, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var response = await app.Client.PostAsync("/v1/responses", Body("""{"model":"claude-sonnet-4-5","input":"Hello"}"""), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.Contains("request tokens", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResponses_ChatUpstreamBreaksMidStream_EndsWithResponseFailed()
    {
        var sent = string.Concat(ProviderRecordings.OpenAIStreamEvents.Take(2));
        var clientHasEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            await FakeResponses.WriteEventsAsync(ctx, [sent]);
            await clientHasEvents.Task.WaitAsync(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            ctx.Abort();
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("""{"model":"gpt-4o-mini","input":"Hello","stream":true}""") },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);
        var seen = await StreamLines.ReadAllAsync(response, line => line == "event: response.output_text.delta", clientHasEvents, Ct);

        Assert.Equal("event: response.failed", seen.Last(l => l.StartsWith("event:", StringComparison.Ordinal)));
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal("streaming_error", error.ErrorType);
        Assert.Equal("responses", error.ClientFormat);
    }

    [Fact]
    public async Task PostResponses_RefusedField_Answers400NamingItAndRecordsTheRejection()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/responses", Body("""{"model":"gpt-4o-mini","input":"Hello","conversation":"conv_1"}"""), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("conversation", document.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
        var rejected = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal("responses", rejected.ClientFormat);
        Assert.Equal(400, rejected.StatusCode);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("responses")]
    public async Task PostResponses_ClientLeavesRightAfterResponseCompleted_IsRecordedAsSuccess(string providerFormat)
    {
        // Codex closes the connection once it has response.completed, while the upstream's connection may still be open.
        // Here the upstream keeps it open until the gateway, seeing the client leave, cancels the upstream request.
        var events = providerFormat == "openai" ? ProviderRecordings.OpenAIStreamEvents : ResponsesRecordings.StreamEvents;
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            await FakeResponses.WriteEventsAsync(ctx, events);
            await Task.Delay(TimeSpan.FromSeconds(30), ctx.RequestAborted);
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, providerFormat);

        using (var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = Body("""{"model":"gpt-4o-mini","input":"Hello","stream":true}""") },
            HttpCompletionOption.ResponseHeadersRead,
            Ct))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            while (await reader.ReadLineAsync(Ct) is { } line && line != "event: response.completed")
            {
            }
        }

        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal("success", logged.Status);
        Assert.Null(logged.ErrorType);
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");
}
