using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Inflight.Tracking;

namespace Inflight.Tests.Gateway;

/// <summary>
/// A provider that ends a started stream with an error of its own (Anthropic's mid-stream <c>overloaded_error</c>, an
/// OpenAI error chunk): the client gets it, and the request is recorded as failed, not as a 200 success.
/// </summary>
public sealed class InBandStreamErrorTests
{
    private const string AnthropicErrorEvent = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

    private const string OpenAIErrorChunk = "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_AnthropicErrorEventMidStream_ClientGetsItAndRequestIsUpstreamError()
    {
        var (text, logged) = await RunAsync("anthropic", "/v1/messages", ProviderRecordings.AnthropicRequest, [.. ProviderRecordings.AnthropicStreamEvents.Take(4), AnthropicErrorEvent]);

        Assert.EndsWith(AnthropicErrorEvent, text, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Error, logged.Status);
        Assert.Equal(ErrorTypes.UpstreamError, logged.ErrorType);
        Assert.Equal("The provider ended the stream with an error: overloaded_error: Overloaded", logged.ErrorMessage);
        Assert.Equal(502, logged.StatusCode);
    }

    [Fact]
    public async Task PostChatCompletions_OpenAIErrorChunkMidStream_ClientGetsItAndRequestIsUpstreamError()
    {
        var (text, logged) = await RunAsync("openai", "/v1/chat/completions", ProviderRecordings.OpenAIRequest, [.. ProviderRecordings.OpenAIStreamEvents.Take(2), OpenAIErrorChunk]);

        Assert.Contains(OpenAIErrorChunk, text, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Error, logged.Status);
        Assert.Equal(ErrorTypes.UpstreamError, logged.ErrorType);
        Assert.Equal("The provider ended the stream with an error: server_error: The server had an error while processing your request.", logged.ErrorMessage);
    }

    [Fact]
    public async Task PostMessages_OpenAIErrorChunkThroughTranslation_ClientGetsAnthropicErrorAndRequestIsUpstreamError()
    {
        var (text, logged) = await RunAsync("openai", "/v1/messages", ProviderRecordings.AnthropicRequest, [.. ProviderRecordings.OpenAIStreamEvents.Take(2), OpenAIErrorChunk]);

        Assert.Contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"", text, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Error, logged.Status);
        Assert.Equal(ErrorTypes.UpstreamError, logged.ErrorType);
        Assert.Contains("server_error", logged.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostChatCompletions_TextMentioningErrorInQuotes_IsStillASuccess()
    {
        var mentions = ProviderRecordings.OpenAIStreamEvents[1].Replace("Hello", "the \\\"error\\\": field", StringComparison.Ordinal);
        string[] events = [ProviderRecordings.OpenAIStreamEvents[0], mentions, .. ProviderRecordings.OpenAIStreamEvents.Skip(2)];

        var (text, logged) = await RunAsync("openai", "/v1/chat/completions", ProviderRecordings.OpenAIRequest, events);

        Assert.Contains("the \\\"error\\\": field", text, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Success, logged.Status);
    }

    private static async Task<(string Text, RequestLogEntry Logged)> RunAsync(string format, string path, string requestJson, string[] events)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteEventsAsync(ctx, events));
        await using var app = GatewayApp.StartWithUpstream(upstream, format);

        using var response = await app.Client.PostAsync(path, PassThroughTests.JsonBody(requestJson, stream: true), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        return (text, await PassThroughTests.FinishedRequestAsync(app));
    }
}
