using System.Net;
using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

public sealed class RoutingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostChatCompletions_AliasedModel_SendsTargetModelAndTracksBoth()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["FAKE_ALIAS_MINI"] = "gpt-4o-mini-2024-07-18" });
        var body = ProviderRecordings.OpenAIRequest.Replace("\"gpt-4o-mini\"", "\"fake:my-mini\"", StringComparison.Ordinal);

        using var response = await app.Client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"model\":\"gpt-4o-mini-2024-07-18\"", Assert.Single(upstream.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostMessages_UnknownProviderPrefix_Returns404InAnthropicFormat()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var body = ProviderRecordings.AnthropicRequest.Replace("claude-sonnet-4-5", "mystery:claude-sonnet-4-5", StringComparison.Ordinal);

        using var response = await app.Client.PostAsync("/v1/messages", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        FaultTests.AssertErrorShape("/v1/messages", text, "not_found_error");
        Assert.Contains("fake", text, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/completions", "invalid_request_error")]
    [InlineData("/v1/messages/batches", "not_found_error")]
    public async Task Post_UnknownV1Path_Returns404InClientFormat(string path, string expectedType)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        FaultTests.AssertErrorShape(path.StartsWith("/v1/messages", StringComparison.Ordinal) ? "/v1/messages" : path, text, expectedType);
        Assert.Contains("POST /v1/chat/completions", text, StringComparison.Ordinal);
    }
}
