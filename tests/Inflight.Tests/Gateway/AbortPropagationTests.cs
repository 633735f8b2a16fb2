using System.Text;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary>Seen from the upstream: every stream a client abandons is cancelled there too, even under load.</summary>
public sealed class AbortPropagationTests
{
    private const int Streams = 300;
    // Long enough (~2–4 s paced) that no stream can end on its own before its client leaves, even on a machine busy
    // enough to stall the client a few hundred ms (100 events did once, under two concurrent test runs); a client
    // leaves within its first 15 KB, so the test takes no longer.
    private const int EventsPerStream = 1_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostMessages_ManyClientsAbortMidStream_EveryUpstreamStreamIsCancelled()
    {
        var completedUpstream = 0;
        var abortedUpstream = 0;
        var ended = 0;
        var allEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var anthropicEvent = Encoding.UTF8.GetBytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + new string('x', 200) + "\"}}\n\n");
        await using var upstream = await FakeUpstream.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            try
            {
                // Paced like a model generating tokens: the rest of the stream can only arrive if the gateway keeps reading.
                for (var i = 0; i < EventsPerStream; i++)
                {
                    await ctx.Response.Body.WriteAsync(anthropicEvent, ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                    await Task.Delay(TimeSpan.FromMilliseconds(2), ctx.RequestAborted);
                }

                Interlocked.Increment(ref completedUpstream);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                Interlocked.Increment(ref abortedUpstream);
            }

            if (Interlocked.Increment(ref ended) == Streams)
            {
                allEnded.SetResult();
            }
        });
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        // The test's own client must not drain either: cancelling the read closes its connection at once.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = app.BaseAddress };
        var next = -1;
        var workers = Enumerable.Range(0, 12).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < Streams)
            {
                using var abort = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                using var response = await client.SendAsync(
                    new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = PassThroughTests.JsonBody(ProviderRecordings.AnthropicRequest, stream: true) },
                    HttpCompletionOption.ResponseHeadersRead,
                    abort.Token);
                var body = await response.Content.ReadAsStreamAsync(abort.Token);
                // Leave after a varying share of the stream, so the gateway is caught both waiting and writing.
                await body.ReadExactlyAsync(new byte[64 + (2048 * (Environment.CurrentManagedThreadId % 8))], abort.Token);
                await abort.CancelAsync();
            }
        });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2), Ct);
        await FaultTests.WaitUntilAsync(app.Tracker, () => app.Tracker.ActiveCount == 0);
        await allEnded.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(0, completedUpstream);
        Assert.Equal(Streams, abortedUpstream);
    }
}
