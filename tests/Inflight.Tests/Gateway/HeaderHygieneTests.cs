using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Header faults: control bytes never reach the upstream, and oversized heads get errors in the client's format.</summary>
public sealed class HeaderHygieneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("user-agent", "evil\u0001agent")]
    [InlineData("anthropic-beta", "tools-2024\u007f")]
    [InlineData("x-title", "tab\tis fine but \u001b[31m escape is not")]
    public async Task PostMessages_ControlBytesInAForwardedHeader_DroppedAndTheRequestSucceeds(string name, string value)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var body = ProviderRecordings.AnthropicRequest;
        var head = $"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{name}: {value}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n";
        var (status, _) = await RequestFramingTests.RawExchangeAsync(app, head + body);

        Assert.Equal(200, status);
        var sent = Assert.Single(upstream.Requests);
        Assert.False(sent.Headers.TryGetValue(name, out var forwarded) && forwarded.Any(c => c != '\t' && char.IsControl(c)), $"forwarded '{name}: {forwarded}'");
    }

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/v1/chat/completions")]
    public async Task Post_HeadersTooLarge_Returns431InClientFormat(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, path == "/v1/messages" ? "anthropic" : "openai");
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nx-filler: {new string('a', 40 * 1024)}\r\nContent-Length: 2\r\n\r\n{{}}";

        var (status, body) = await RequestFramingTests.RawExchangeAsync(app, head);

        Assert.Equal(431, status);
        FaultTests.AssertErrorShape(path, body, "invalid_request_error");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Post_RequestLineTooLong_Returns414InClientFormat()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var head = $"POST /v1/chat/completions?q={new string('a', 10 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}";

        var (status, body) = await RequestFramingTests.RawExchangeAsync(app, head);

        Assert.Equal(414, status);
        FaultTests.AssertErrorShape("/v1/chat/completions", body, "invalid_request_error");
    }

    [Theory]
    [InlineData("/v1/messages")]
    [InlineData("/v1/chat/completions")]
    public async Task Post_TooManyHeaders_Returns431InClientFormat(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, path == "/v1/messages" ? "anthropic" : "openai");
        var filler = string.Concat(Enumerable.Range(0, 120).Select(i => $"x-filler-{i}: {i}\r\n"));
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{filler}Content-Length: 2\r\n\r\n{{}}";

        var (status, body) = await RequestFramingTests.RawExchangeAsync(app, head);

        Assert.Equal(431, status);
        FaultTests.AssertErrorShape(path, body, "invalid_request_error");
        Assert.Contains("header fields", body, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Get_MetricsHeadersTooLarge_Returns431InJson()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var head = $"GET /metrics/running-totals HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nx-filler: {new string('a', 40 * 1024)}\r\n\r\n";

        var (status, body) = await RequestFramingTests.RawExchangeAsync(app, head);

        Assert.Equal(431, status);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("request_header_fields_too_large", json.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("x-title", "nul\0byte")]
    [InlineData("user-agent", "bare\rreturn")]
    public async Task PostMessages_NulOrBareCRInAHeader_RefusedAndNothingForwarded(string name, string value)
    {
        // Kestrel refuses these while parsing the head, before any middleware: status only, no body (see
        // SecurityExtensions for why). The other control bytes reach the gateway, which drops them (above).
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicMessage));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");
        var body = ProviderRecordings.AnthropicRequest;
        var head = $"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{name}: {value}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n";

        // Only the head: a body the server never reads would still be in its socket when it closes, which turns
        // the close into a reset that can destroy the 400 before the client reads it.
        var (status, _) = await RequestFramingTests.RawExchangeAsync(app, head);
        using var health = await app.Client.GetAsync("/health", Ct);

        Assert.Equal(400, status);
        Assert.Empty(upstream.Requests);
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }
}
