using System.Net;
using System.Net.Sockets;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Keys a provider echoes back, and the upstream's address, never reach clients or the stored logs.</summary>
public sealed class SecretRedactionTests
{
    private const string ProviderKey = "prov-key-7d1f0c2b9a8e4d6f";
    private const string ForeignToken = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/chat/completions", "openai")]
    [InlineData("/v1/messages", "openai")]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/chat/completions", "anthropic")]
    public async Task Post_Upstream401EchoesKeys_ClientAndLogsSeeThemRedacted(string path, string upstreamFormat)
    {
        var echo = upstreamFormat == "openai"
            ? $$$"""{"error":{"message":"Incorrect API key provided: {{{ProviderKey}}}. Also tried Bearer {{{ForeignToken}}}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"""
            : $$$"""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key {{{ProviderKey}}} ({{{ForeignToken}}})"}}""";
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, echo, 401));
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat, new() { ["FAKE_API_KEY"] = ProviderKey });
        var body = path == "/v1/messages" ? ProviderRecordings.AnthropicRequest : ProviderRecordings.OpenAIRequest;

        using var response = await app.Client.PostAsync(path, PassThroughTests.JsonBody(body, stream: false), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var logs = await app.Client.GetStringAsync("/metrics/logs", Ct);
        foreach (var seen in new[] { text, logs, Assert.Single(app.Tracker.GetRecentErrors()).ErrorMessage! })
        {
            Assert.DoesNotContain(ProviderKey, seen, StringComparison.Ordinal);
            Assert.DoesNotContain("AbCdEfGhIjKlMnOp", seen, StringComparison.Ordinal);
        }

        Assert.Contains(upstreamFormat == "openai" ? "Incorrect API key provided" : "invalid x-api-key", text, StringComparison.Ordinal);
        Assert.Contains("[redacted]", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostChatCompletions_UpstreamUnreachable_502DoesNotNameTheAddress()
    {
        var port = ClosedPort();
        await using var app = GatewayApp.Start(new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "k",
            ["FAKE_BASE_URL"] = $"http://127.0.0.1:{port}/v1",
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        });

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream: false), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("'fake'", MalformedBodyTests.ErrorMessage(text), StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
