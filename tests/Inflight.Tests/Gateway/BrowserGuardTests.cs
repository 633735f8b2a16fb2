using System.Net;
using System.Text;
using Inflight.Hosting;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Gateway;

/// <summary>With no PROXY_API_KEY, a web page the operator visits cannot use the gateway or read its metrics.</summary>
public sealed class BrowserGuardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetLogs_DnsRebindingHost_IsRefused()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics/logs");
        request.Headers.Host = "attacker.example:" + app.BaseAddress.Port;
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ALLOWED_HOSTS", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetLogs_HostListedInAllowedHosts_IsServed()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["ALLOWED_HOSTS"] = "gateway.internal, other.example" });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics/logs");
        request.Headers.Host = "gateway.internal:" + app.BaseAddress.Port;
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostChatCompletions_CrossSiteTextPlain_IsRefusedAndNothingReachesTheUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(ProviderRecordings.OpenAIRequest, Encoding.UTF8, "text/plain") };
        request.Headers.TryAddWithoutValidation("Origin", "https://attacker.example");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        FaultTests.AssertErrorShape("/v1/chat/completions", await response.Content.ReadAsStringAsync(Ct), "permission_error");
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("Origin", "https://attacker.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    public async Task PostMessages_CrossSiteJson_IsRefusedInAnthropicFormat(string header, string value)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(ProviderRecordings.AnthropicRequest, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        FaultTests.AssertErrorShape("/v1/messages", await response.Content.ReadAsStringAsync(Ct), "permission_error");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task PostMessages_SameOriginBrowserRequest_IsServed()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(ProviderRecordings.AnthropicRequest, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Origin", $"http://127.0.0.1:{app.BaseAddress.Port}");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain")]
    [InlineData("/v1/messages", "application/x-www-form-urlencoded")]
    [InlineData("/v1/messages/count_tokens", "multipart/form-data; boundary=x")]
    [InlineData("/v1/chat/completions", null)]
    public async Task Post_NonJsonContentType_Returns415InClientFormat(string path, string? contentType)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, path == "/v1/chat/completions" ? "openai" : "anthropic");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(path == "/v1/chat/completions" ? ProviderRecordings.OpenAIRequest : ProviderRecordings.AnthropicRequest));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        using var response = await app.Client.PostAsync(path, content, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        FaultTests.AssertErrorShape(path, await response.Content.ReadAsStringAsync(Ct), "invalid_request_error");
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.api+json")]
    public async Task PostChatCompletions_JsonContentTypeVariants_AreAccepted(string contentType)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ProviderRecordings.OpenAIRequest));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await app.Client.PostAsync("/v1/chat/completions", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Collect_BadAllowedHostsEntry_NamesTheSetting()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk", ["ALLOWED_HOSTS"] = "good.example, http://bad/path" });
        builder.AddInflightConfiguration([]);
        await using var app = builder.Build();

        var failures = SettingsCheck.Collect(app.Services);

        Assert.Contains(failures, f => f.StartsWith("ALLOWED_HOSTS", StringComparison.Ordinal) && f.Contains("http://bad/path", StringComparison.Ordinal));
    }
}
