using System.Net;
using System.Net.Http.Json;
using Inflight.Hosting;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Gateway;

/// <summary>The dashboard's session cookie is Secure behind a trusted TLS-terminating proxy, or when forced.</summary>
public sealed class SessionCookieTests
{
    private const string Key = "proxy-secret-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.9.8.0/24", false)]
    [InlineData(null, false)]
    public async Task PostSession_ForwardedProtoHttps_SecureOnlyWhenTheProxyIsTrusted(string? trustedProxies, bool secure)
    {
        var cookie = await SignInAsync(new() { ["TRUSTED_PROXIES"] = trustedProxies }, forwardedProto: "https");

        Assert.Equal(secure, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task PostSession_CookieSecureTrue_AlwaysSecure()
    {
        var cookie = await SignInAsync(new() { ["COOKIE_SECURE"] = "true" }, forwardedProto: null);

        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Collect_BadTrustedProxyOrCookieSecure_NamesTheSettings()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk", ["TRUSTED_PROXIES"] = "10.0.0.1, proxy.example", ["COOKIE_SECURE"] = "maybe" });
        builder.AddInflightConfiguration([]);
        await using var app = builder.Build();

        var failures = SettingsCheck.Collect(app.Services);

        Assert.Contains(failures, f => f.StartsWith("TRUSTED_PROXIES", StringComparison.Ordinal) && f.Contains("proxy.example", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("COOKIE_SECURE", StringComparison.Ordinal));
    }

    private static async Task<string> SignInAsync(Dictionary<string, string?> settings, string? forwardedProto)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        settings["PROXY_API_KEY"] = Key;
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", settings);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/dashboard/api/session") { Content = JsonContent.Create(new { key = Key }) };
        if (forwardedProto is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", forwardedProto);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.7");
        }

        using var response = await app.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(response.Headers.GetValues("Set-Cookie"));
    }
}
