using System.Net;
using System.Net.Http.Headers;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

public sealed class ProxyKeyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", null, HttpStatusCode.Unauthorized)]
    [InlineData("/v1/messages", "wrong", HttpStatusCode.Unauthorized)]
    [InlineData("/v1/messages", "gateway-key", HttpStatusCode.OK)]
    [InlineData("/v1/chat/completions", null, HttpStatusCode.Unauthorized)]
    [InlineData("/v1/chat/completions", "gateway-key", HttpStatusCode.OK)]
    public async Task Post_WithProxyKeySet_RequiresTheKey(string path, string? key, HttpStatusCode expected)
    {
        var anthropic = path == "/v1/messages";
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, anthropic ? ProviderRecordings.AnthropicMessage : ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, anthropic ? "anthropic" : "openai", new() { ["PROXY_API_KEY"] = "gateway-key" });
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = PassThroughTests.JsonBody(anthropic ? ProviderRecordings.AnthropicRequest : ProviderRecordings.OpenAIRequest, stream: false),
        };
        if (key is not null)
        {
            // Anthropic clients send x-api-key, OpenAI clients a Bearer token: both are accepted.
            if (anthropic)
            {
                request.Headers.Add("x-api-key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            FaultTests.AssertErrorShape(path, await response.Content.ReadAsStringAsync(Ct), "authentication_error");
            Assert.Empty(upstream.Requests);
        }
        else
        {
            var received = Assert.Single(upstream.Requests);
            Assert.DoesNotContain("gateway-key", string.Join(";", received.Headers.Values), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Post_WithoutProxyKeySet_IsOpen()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
