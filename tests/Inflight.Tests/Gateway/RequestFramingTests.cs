using System.Net.Sockets;
using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Inflight.Tests.Gateway;

/// <summary>Bodies broken at the HTTP level: bad chunked framing is a 400, a body that stops arriving a 408 — never an empty 200.</summary>
public sealed class RequestFramingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/chat/completions", "openai")]
    [InlineData("/v1/messages/count_tokens", "anthropic")]
    public async Task Post_MalformedChunkedBody_Returns400InClientFormat(string path, string format)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, format);

        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        var (status, body) = await RawExchangeAsync(app, head + "5\r\n{\"mod\r\nZZ-not-a-size\r\n\r\n");

        Assert.Equal(400, status);
        FaultTests.AssertErrorShape(path, body, "invalid_request_error");
        Assert.Empty(upstream.Requests);
    }

    [Theory]
    [InlineData("/v1/messages", "anthropic", "invalid_request_error")]
    [InlineData("/v1/chat/completions", "openai", "invalid_request_error")]
    public async Task Post_BodyStopsArriving_Returns408InClientFormatAndIsRecorded(string path, string format, string errorType)
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, format, services: s => s.Configure<KestrelServerOptions>(
            k => k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(1.5))));

        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
        var (status, body) = await RawExchangeAsync(app, head + "{\"model\":\"m\",");

        Assert.Equal(408, status);
        FaultTests.AssertErrorShape(path, body, errorType);
        Assert.Empty(upstream.Requests);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal(408, error.StatusCode);
    }

    /// <summary>Sends raw bytes, keeps the connection open without sending more, and reads the status and body.</summary>
    internal static async Task<(int Status, string Body)> RawExchangeAsync(GatewayApp app, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(app.BaseAddress.Host, app.BaseAddress.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), Ct);
        await stream.FlushAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var response = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(timeout.Token);
        var statusLine = response[..response.IndexOf("\r\n", StringComparison.Ordinal)];
        var status = int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var separator = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, response[(separator + 4)..]);
    }
}
