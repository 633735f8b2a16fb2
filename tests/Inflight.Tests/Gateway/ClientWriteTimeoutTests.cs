using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>A client that stops reading cannot hold an upstream stream open: CLIENT_WRITE_TIMEOUT ends both sides.</summary>
public sealed class ClientWriteTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("/v1/chat/completions", "openai")]
    [InlineData("/v1/messages", "openai")]
    public async Task Post_ClientStopsReading_AbortsUpstreamAndRecordsClientTimeout(string path, string upstreamFormat)
    {
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.RequestAborted.Register(() => upstreamAborted.TrySetResult());
            ctx.Response.ContentType = "text/event-stream";
            var chunk = Encoding.UTF8.GetBytes(upstreamFormat == "anthropic"
                ? "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + new string('x', 4000) + "\"}}\n\n"
                : "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + new string('x', 4000) + "\"},\"finish_reason\":null}]}\n\n");
            try
            {
                // Bounded: 4 GB at most, far beyond every buffer between here and the client.
                for (var i = 0; i < 1_000_000 && !ctx.RequestAborted.IsCancellationRequested; i++)
                {
                    await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, upstreamFormat, new() { ["CLIENT_WRITE_TIMEOUT"] = "1" });
        var body = path == "/v1/messages" ? ProviderRecordings.AnthropicRequest : ProviderRecordings.OpenAIRequest;

        // Headers read, body never read: the gateway's writes back up.
        using var response = await app.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, path) { Content = PassThroughTests.JsonBody(body, stream: true) },
            HttpCompletionOption.ResponseHeadersRead,
            Ct);

        await upstreamAborted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        var error = Assert.Single(app.Tracker.GetRecentErrors());
        Assert.Equal("client_timeout", error.ErrorType);
    }
}
