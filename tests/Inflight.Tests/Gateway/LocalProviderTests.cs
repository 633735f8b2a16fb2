using System.Net;
using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

public sealed class LocalProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostChatCompletions_ProviderDeclaredByBaseUrlAlone_ReachesItWithoutCredentials()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.Start(new Dictionary<string, string?> { ["LOCAL_BASE_URL"] = upstream.BaseUrl + "v1" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"llama3:latest","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", "client-key");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(upstream.Requests);
        Assert.Contains("\"model\":\"llama3:latest\"", received.Body, StringComparison.Ordinal);
        Assert.False(received.Headers.ContainsKey("authorization"));
        Assert.False(received.Headers.ContainsKey("x-api-key"));
    }
}
