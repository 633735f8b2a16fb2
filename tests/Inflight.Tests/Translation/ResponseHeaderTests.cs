using System.Net;
using Inflight.Gateway;
using Inflight.Protocols;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Translation;

/// <summary>
/// Response header names through the real host: a translated answer carries the names the client's API
/// documents (request id, rate limits, with reset values in the client's form); a passed-through one
/// keeps the provider's.
/// </summary>
public sealed class ResponseHeaderTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostMessages_OpenAIUpstream_AnswersWithAnthropicHeaderNames(bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            SetHeaders(ctx, s_openAIHeaders);
            return stream
                ? FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.OpenAIStreamEvents)
                : FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.OpenAICompletion);
        });
        await using var app = StartGateway(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Dictionary<string, string>
        {
            ["request-id"] = "req_openai_123",
            ["anthropic-ratelimit-requests-limit"] = "5000",
            ["anthropic-ratelimit-requests-remaining"] = "4999",
            ["anthropic-ratelimit-requests-reset"] = "2026-12-01T10:00:01Z",
            ["anthropic-ratelimit-tokens-limit"] = "160000",
            ["anthropic-ratelimit-tokens-remaining"] = "159976",
            ["anthropic-ratelimit-tokens-reset"] = "2026-12-01T10:06:00Z",
        }, Named(response, s_anthropicNames));
        Assert.Empty(Named(response, s_openAINames));
        Assert.False(response.Headers.Contains("retry-after"), "retry-after only when the upstream sent one");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostChatCompletions_AnthropicUpstream_AnswersWithOpenAIHeaderNames(bool stream)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            SetHeaders(ctx, s_anthropicHeaders);
            return stream
                ? FakeResponses.WriteEventsAsync(ctx, ProviderRecordings.AnthropicStreamEvents)
                : FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage);
        });
        await using var app = StartGateway(upstream, "anthropic");

        using var response = await app.Client.PostAsync("/v1/chat/completions", PassThroughTests.JsonBody(ProviderRecordings.OpenAIRequest, stream), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Dictionary<string, string>
        {
            ["x-request-id"] = "req_011CSHoEeqs5C35K2UUqR7Fy",
            ["x-ratelimit-limit-requests"] = "4000",
            ["x-ratelimit-remaining-requests"] = "3999",
            ["x-ratelimit-reset-requests"] = "20ms",
            ["x-ratelimit-limit-tokens"] = "400000",
            ["x-ratelimit-remaining-tokens"] = "398000",
            ["x-ratelimit-reset-tokens"] = "1m30.5s",
        }, Named(response, s_openAINames));
        Assert.Empty(Named(response, s_anthropicNames));
        // Anthropic's input-token limits have no OpenAI counterpart: passed on under their own name.
        Assert.Equal("300000", Assert.Single(response.Headers.GetValues("anthropic-ratelimit-input-tokens-limit")));
    }

    [Fact]
    public async Task PostMessages_OpenAIUpstream429_KeepsRetryAfterAndRenamesRateLimits()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            SetHeaders(ctx, s_openAIHeaders);
            ctx.Response.Headers.RetryAfter = "7";
            return FakeResponses.WriteJsonAsync(ctx, """{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429);
        });
        await using var app = StartGateway(upstream, "openai");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("retry-after")));
        Assert.Equal("4999", Assert.Single(response.Headers.GetValues("anthropic-ratelimit-requests-remaining")));
        Assert.Equal("req_openai_123", Assert.Single(response.Headers.GetValues("request-id")));
        Assert.Empty(Named(response, s_openAINames));
    }

    [Fact]
    public async Task PostMessages_AnthropicPassThrough_KeepsProviderHeaderNames()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) =>
        {
            SetHeaders(ctx, s_anthropicHeaders);
            return FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage);
        });
        await using var app = StartGateway(upstream, "anthropic");

        using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: false), Ct);

        Assert.Equal(s_anthropicHeaders.Where(h => s_anthropicNames.Contains(h.Key)).ToDictionary(), Named(response, s_anthropicNames));
        Assert.Empty(Named(response, s_openAINames));
    }

    [Theory]
    [InlineData(ApiFormat.OpenAI, ApiFormat.Responses)]
    [InlineData(ApiFormat.Responses, ApiFormat.OpenAI)]
    [InlineData(ApiFormat.Anthropic, ApiFormat.Anthropic)]
    public void TryTranslate_SameHeaderFamily_KeepsName(ApiFormat upstream, ApiFormat client)
    {
        var name = upstream == ApiFormat.Anthropic ? "request-id" : "x-request-id";

        Assert.False(ClientHeaderNames.TryTranslate(upstream, client, name, "req_1", s_now, out var clientName, out _));
        Assert.Equal(name, clientName);
    }

    [Fact]
    public void TryTranslate_AnthropicToResponsesClient_UsesOpenAINames()
    {
        Assert.True(ClientHeaderNames.TryTranslate(ApiFormat.Anthropic, ApiFormat.Responses, "anthropic-ratelimit-tokens-reset", "2026-12-01T10:00:02Z", s_now, out var name, out var value));
        Assert.Equal(("x-ratelimit-reset-tokens", "2s"), (name, value));
    }

    [Theory]
    [InlineData("20ms", 20)]
    [InlineData("1s", 1_000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("59.999s", 59_999)]
    [InlineData("1h2m3s", 3_723_000)]
    public void TryParseDuration_OpenAIResetValues_ReadsGoDurations(string value, long milliseconds)
    {
        Assert.True(ClientHeaderNames.TryParseDuration(value, out var duration));
        Assert.Equal(milliseconds, (long)Math.Round(duration.TotalMilliseconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5")]
    [InlineData("5d")]
    public void TryParseDuration_NotADuration_IsFalse(string value)
        => Assert.False(ClientHeaderNames.TryParseDuration(value, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(20, "20ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void FormatDuration_Milliseconds_WritesGoDuration(long milliseconds, string expected)
        => Assert.Equal(expected, ClientHeaderNames.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));

    private static readonly string[] s_anthropicNames =
    [
        "request-id",
        "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset",
        "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset",
    ];

    private static readonly string[] s_openAINames =
    [
        "x-request-id",
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ];

    /// <summary>As OpenAI documents them (reset as a duration).</summary>
    private static readonly Dictionary<string, string> s_openAIHeaders = new()
    {
        ["x-request-id"] = "req_openai_123",
        ["x-ratelimit-limit-requests"] = "5000",
        ["x-ratelimit-remaining-requests"] = "4999",
        ["x-ratelimit-reset-requests"] = "12ms",
        ["x-ratelimit-limit-tokens"] = "160000",
        ["x-ratelimit-remaining-tokens"] = "159976",
        ["x-ratelimit-reset-tokens"] = "6m0s",
        ["openai-processing-ms"] = "190",
    };

    /// <summary>As Anthropic documents them (reset as an RFC 3339 instant).</summary>
    private static readonly Dictionary<string, string> s_anthropicHeaders = new()
    {
        ["request-id"] = "req_011CSHoEeqs5C35K2UUqR7Fy",
        ["anthropic-ratelimit-requests-limit"] = "4000",
        ["anthropic-ratelimit-requests-remaining"] = "3999",
        ["anthropic-ratelimit-requests-reset"] = "2026-12-01T10:00:00.020Z",
        ["anthropic-ratelimit-tokens-limit"] = "400000",
        ["anthropic-ratelimit-tokens-remaining"] = "398000",
        ["anthropic-ratelimit-tokens-reset"] = "2026-12-01T10:01:30.500Z",
        ["anthropic-ratelimit-input-tokens-limit"] = "300000",
    };

    private static GatewayApp StartGateway(FakeUpstream upstream, string format)
        => GatewayApp.StartWithUpstream(upstream, format, services: s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(s_now)));

    private static void SetHeaders(HttpContext context, Dictionary<string, string> headers)
    {
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }
    }

    /// <summary>The response's values for those of <paramref name="names"/> it carries.</summary>
    private static Dictionary<string, string> Named(HttpResponseMessage response, string[] names)
        => names.Where(n => response.Headers.Contains(n)).ToDictionary(n => n, n => string.Join(", ", response.Headers.GetValues(n)));
}
