using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Inflight.Dashboard.Tests.Infrastructure;

namespace Inflight.Dashboard.Tests;

public sealed class SignInApiTests
{
    private const string Key = "proxy-secret-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetSession_NoProxyKey_OpenAndSignedIn()
    {
        await using var host = DashboardHost.Start();
        using var client = NewClient(host);

        using var response = await client.GetAsync("/dashboard/api/session", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.False(json.RootElement.GetProperty("auth_required").GetBoolean());
        Assert.True(json.RootElement.GetProperty("signed_in").GetBoolean());
    }

    [Fact]
    public async Task PostSession_RightKey_SetsOpaqueHttpOnlyStrictCookieThatMetricsAccept()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key });
        using var client = NewClient(host);

        using var before = await client.GetAsync("/metrics/active-requests", Ct);
        using var signIn = await client.PostAsJsonAsync("/dashboard/api/session", new { key = Key }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("inflight_session=", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie.Replace("inflight_session", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

        var token = cookie.Split(';')[0]["inflight_session=".Length..];
        using var metrics = new HttpRequestMessage(HttpMethod.Get, "/metrics/active-requests");
        metrics.Headers.Add("Cookie", $"inflight_session={token}");
        using var after = await client.SendAsync(metrics, Ct);
        Assert.NotEqual(HttpStatusCode.Unauthorized, after.StatusCode);

        using var status = new HttpRequestMessage(HttpMethod.Get, "/dashboard/api/session");
        status.Headers.Add("Cookie", $"inflight_session={token}");
        using var statusResponse = await client.SendAsync(status, Ct);
        using var json = JsonDocument.Parse(await statusResponse.Content.ReadAsStringAsync(Ct));
        Assert.True(json.RootElement.GetProperty("auth_required").GetBoolean());
        Assert.True(json.RootElement.GetProperty("signed_in").GetBoolean());
    }

    [Fact]
    public async Task DeleteSession_SignedIn_RevokesTheToken()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key });
        using var client = NewClient(host);
        using var signIn = await client.PostAsJsonAsync("/dashboard/api/session", new { key = Key }, Ct);
        var token = signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["inflight_session=".Length..];

        using var signOut = new HttpRequestMessage(HttpMethod.Delete, "/dashboard/api/session");
        signOut.Headers.Add("Cookie", $"inflight_session={token}");
        using var signOutResponse = await client.SendAsync(signOut, Ct);
        using var metrics = new HttpRequestMessage(HttpMethod.Get, "/metrics/active-requests");
        metrics.Headers.Add("Cookie", $"inflight_session={token}");
        using var after = await client.SendAsync(metrics, Ct);

        Assert.Equal(HttpStatusCode.NoContent, signOutResponse.StatusCode);
        Assert.Contains("inflight_session=;", signOutResponse.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task PostSession_WrongKeysBeyondTheLimit_429WithRetryAfterAndCounted()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key, ["AUTH_FAILURE_LIMIT"] = "3" });
        using var client = NewClient(host);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.PostAsJsonAsync("/dashboard/api/session", new { key = "wrong-" + i }, Ct);
            statuses.Add(wrong.StatusCode);
        }

        using var limited = await client.PostAsJsonAsync("/dashboard/api/session", new { key = "wrong-again" }, Ct);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.False(limited.Headers.Contains("Set-Cookie"));
        using var json = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Ct));
        Assert.Equal("rate_limited", json.RootElement.GetProperty("error").GetString());
        var failures = host.Tracker.GetRunningTotals().AuthFailures;
        Assert.Equal(4, failures.ByRoute["/dashboard/api/session"]);
        Assert.Equal(3, host.Tracker.GetRecentErrors().Count(e => e.StatusCode == 401));
    }

    [Fact]
    public async Task PostSession_RightKeyWhileThrottled_SignsInOnlyIfAcceptedFromThisAddressBefore()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key, ["AUTH_FAILURE_LIMIT"] = "2" });
        await using var otherHost = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key, ["AUTH_FAILURE_LIMIT"] = "2" });
        using var client = NewClient(host);
        using var otherClient = NewClient(otherHost);
        using var earlier = await client.PostAsJsonAsync("/dashboard/api/session", new { key = Key }, Ct);
        foreach (var c in new[] { client, otherClient })
        {
            for (var i = 0; i < 4; i++)
            {
                using var wrong = await c.PostAsJsonAsync("/dashboard/api/session", new { key = "wrong-" + i }, Ct);
            }
        }

        using var stillLimited = await client.PostAsJsonAsync("/dashboard/api/session", new { key = "wrong" }, Ct);
        using var right = await client.PostAsJsonAsync("/dashboard/api/session", new { key = Key }, Ct);
        using var rightButNew = await otherClient.PostAsJsonAsync("/dashboard/api/session", new { key = Key }, Ct);

        Assert.Equal(HttpStatusCode.OK, earlier.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.StartsWith("inflight_session=", Assert.Single(right.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightButNew.StatusCode);
        Assert.False(rightButNew.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task PostSession_EmptyKey_BadRequest()
    {
        await using var host = DashboardHost.Start(new Dictionary<string, string?> { ["PROXY_API_KEY"] = Key });
        using var client = NewClient(host);

        using var response = await client.PostAsJsonAsync("/dashboard/api/session", new { key = "" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task GetRoot_Always_RedirectsToDashboard()
    {
        await using var host = DashboardHost.Start();
        using var client = NewClient(host);

        using var root = await client.GetAsync("/", Ct);
        using var bare = await client.GetAsync("/dashboard", Ct);
        using var page = await client.GetAsync("/dashboard/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/dashboard/", root.Headers.Location?.OriginalString);
        Assert.Equal("/dashboard/", bare.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private static HttpClient NewClient(DashboardHost host)
        => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress };
}
