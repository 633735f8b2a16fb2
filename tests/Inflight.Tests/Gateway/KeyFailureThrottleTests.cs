using System.Net;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Wrong and missing keys are throttled per client address; a right key already accepted from that address passes a lockout.</summary>
public sealed class KeyFailureThrottleTests
{
    private const string Key = "gateway-key-for-throttle-tests";
    private const int Limit = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/responses")]
    public async Task Post_WrongKeysBeyondTheLimit_429InClientFormatWithRetryAfter(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = StartGateway(upstream);

        var first = new List<HttpStatusCode>();
        for (var i = 0; i < Limit; i++)
        {
            using var response = await PostAsync(app, path, "guess-" + i);
            first.Add(response.StatusCode);
        }

        // A guesser keeps going: every further guess is refused at once, none reaches the provider.
        const int Guesses = 200;
        var limited = 0;
        string? body = null;
        string? retryAfter = null;
        for (var i = 0; i < Guesses; i++)
        {
            using var response = await PostAsync(app, path, i % 2 == 0 ? "more-guess-" + i : null);
            limited += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
            body ??= await response.Content.ReadAsStringAsync(Ct);
            retryAfter ??= response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null;
        }

        Assert.All(first, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(Guesses, limited);
        FaultTests.AssertErrorShape(path, body!, "rate_limit_error");
        Assert.Contains("wrong API key", body, StringComparison.Ordinal);
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Empty(upstream.Requests);
        var failures = app.Tracker.GetRunningTotals().AuthFailures;
        Assert.Equal(Limit + Guesses, failures.Total);
        Assert.Equal(Limit, app.Tracker.GetRecentErrors().Count);
    }

    [Theory]
    [InlineData("/metrics/running-totals")]
    [InlineData("/metrics/prometheus")]
    public async Task Get_MetricsWrongKeysBeyondTheLimit_429InJsonThenTheRightKeyPasses(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = StartGateway(upstream);
        using var before = await GetAsync(app, path, Key);
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await GetAsync(app, path, "guess-" + i);
        }

        using var limited = await GetAsync(app, path, "one-more-guess");
        using var right = await GetAsync(app, path, Key);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
        using var json = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(Ct));
        Assert.Equal("rate_limited", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/chat/completions", "openai")]
    public async Task Post_RightKeyAcceptedBeforeLockout_PassesDuringIt(string path, string format)
    {
        var anthropic = format == "anthropic";
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, anthropic ? ProviderRecordings.AnthropicMessage : ProviderRecordings.OpenAICompletion));
        await using var app = GatewayApp.StartWithUpstream(upstream, format, new() { ["PROXY_API_KEY"] = Key, ["AUTH_FAILURE_LIMIT"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var body = anthropic ? ProviderRecordings.AnthropicRequest : ProviderRecordings.OpenAIRequest;
        using var operatorsClient = await PostAsync(app, path, Key, body);

        // Someone else on 127.0.0.1 guesses until the address is locked out.
        for (var i = 0; i <= Limit; i++)
        {
            using var wrong = await PostAsync(app, path, "guess-" + i);
        }

        using var stillLimited = await PostAsync(app, path, "guess-again");
        using var right = await PostAsync(app, path, Key, body);

        Assert.Equal(HttpStatusCode.OK, operatorsClient.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillLimited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
    }

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/v1/chat/completions")]
    public async Task Post_RightKeyNewToALockedOutAddress_GetsTheSame429AsAWrongKey(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = StartGateway(upstream);
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await PostAsync(app, path, "guess-" + i);
        }

        // A lockout that let an unproven right key through would tell a guesser which guess was right.
        using var wrongGuess = await PostAsync(app, path, "guess-wrong");
        using var rightGuess = await PostAsync(app, path, Key);

        Assert.Equal(HttpStatusCode.TooManyRequests, wrongGuess.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightGuess.StatusCode);
        Assert.Equal(await wrongGuess.Content.ReadAsStringAsync(Ct), await rightGuess.Content.ReadAsStringAsync(Ct));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Post_TrustedForwardedFor_EachClientLimitedOnItsOwn()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = StartGateway(upstream, trustedProxies: "127.0.0.1");
        for (var i = 0; i < Limit; i++)
        {
            using var wrong = await PostAsync(app, "/v1/chat/completions", "guess-" + i, forwardedFor: "203.0.113.7");
        }

        using var first = await PostAsync(app, "/v1/chat/completions", "guess", forwardedFor: "203.0.113.7");
        using var second = await PostAsync(app, "/v1/chat/completions", "guess", forwardedFor: "203.0.113.8");
        using var proxyItself = await PostAsync(app, "/v1/chat/completions", "guess");

        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, proxyItself.StatusCode);
        var addresses = app.Tracker.GetRecentErrors().Select(e => e.ClientAddress).ToHashSet();
        Assert.Contains("203.0.113.7", addresses);
        Assert.Contains("203.0.113.8", addresses);
    }

    [Fact]
    public async Task Post_ForwardedForFromAnUntrustedAddress_Ignored()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = StartGateway(upstream, trustedProxies: "10.0.0.1");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Limit; i++)
        {
            // A guesser on 127.0.0.1 claims a new address each time; only TRUSTED_PROXIES are believed.
            using var response = await PostAsync(app, "/v1/chat/completions", "guess-" + i, forwardedFor: $"198.51.100.{i + 1}");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.All(app.Tracker.GetRecentErrors(), e => Assert.Equal("127.0.0.1", e.ClientAddress));
    }

    private static GatewayApp StartGateway(FakeUpstream upstream, string? trustedProxies = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["PROXY_API_KEY"] = Key,
            ["AUTH_FAILURE_LIMIT"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (trustedProxies is not null)
        {
            settings["TRUSTED_PROXIES"] = trustedProxies;
        }

        return GatewayApp.StartWithUpstream(upstream, "openai", settings);
    }

    private static async Task<HttpResponseMessage> PostAsync(GatewayApp app, string path, string? key, string? body = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = PassThroughTests.JsonBody(body ?? ProviderRecordings.OpenAIRequest, stream: false),
        };
        AddKey(request, path, key);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        return await app.Client.SendAsync(request, Ct);
    }

    private static async Task<HttpResponseMessage> GetAsync(GatewayApp app, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        AddKey(request, path, key);
        return await app.Client.SendAsync(request, Ct);
    }

    private static void AddKey(HttpRequestMessage request, string path, string? key)
    {
        if (key is null)
        {
            return;
        }

        // Anthropic clients send x-api-key, the others a Bearer token.
        request.Headers.TryAddWithoutValidation(path.StartsWith("/v1/messages", StringComparison.Ordinal) ? "x-api-key" : "Authorization", path.StartsWith("/v1/messages", StringComparison.Ordinal) ? key : "Bearer " + key);
    }
}
