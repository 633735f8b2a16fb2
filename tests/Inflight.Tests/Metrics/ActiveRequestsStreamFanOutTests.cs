using System.Net;

namespace Inflight.Tests.Metrics;

/// <summary>Many dashboards on one gateway: shared serialization, no head-of-line blocking by a stalled reader.</summary>
public sealed class ActiveRequestsStreamFanOutTests
{
    private const string StreamPath = MetricsTestHost.StreamPath;

    [Fact]
    public async Task Stream_FiftySubscribersAndOneStalled_AllReceiveSameSnapshotsAndGatewayServes()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        var active = Enumerable.Range(0, 50).Select(_ => host.StartRequest()).ToList();

        // Opened, never read.
        using var stalled = await client.GetAsync(StreamPath, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(MetricsTestHost.Timeout, ct);
        var streams = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => SseTestStream.OpenAsync(client)));
        try
        {
            var framesBefore = host.Broadcaster.FramesBuilt;
            const int Rounds = 20;
            for (var i = 0; i < Rounds; i++)
            {
                active[i].Complete();
                var started = host.StartRequest();
                active.Add(started);

                // Paced by the stream itself, not by a clock.
                await streams[i % streams.Length].WaitForAsync(e => SseTestStream.RequestIds(e).Contains(started.RequestId));
                using var health = await client.GetAsync("/health", ct).WaitAsync(MetricsTestHost.Timeout, ct);
                Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            }

            foreach (var request in active)
            {
                request.Complete();
            }

            var finals = await Task.WhenAll(streams.Select(s => s.WaitForAsync(e => SseTestStream.RequestIds(e).Count == 0)));

            // Everyone converges on the very same final frame.
            Assert.Single(finals.Select(f => f.EventId).Distinct());
            Assert.Single(finals.Select(f => f.Data).Distinct());

            // A frame id always carries the same bytes, whoever received it: one serialization, shared.
            var seen = new Dictionary<string, string>();
            foreach (var item in streams.SelectMany(s => s.Received))
            {
                Assert.Equal(seen.TryAdd(item.EventId!, item.Data) ? item.Data : seen[item.EventId!], item.Data);
            }

            // At most one serialization per change (2 per round + the final burst), however many subscribers.
            var framesBuilt = host.Broadcaster.FramesBuilt - framesBefore;
            Assert.True(framesBuilt <= (2 * Rounds) + 5, $"{framesBuilt} frames built");
            Assert.Equal(51, host.Broadcaster.SubscriberCount);
            TestContext.Current.TestOutputHelper?.WriteLine($"{framesBuilt} frames built for {streams.Length + 1} subscribers");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Stream_StalledSubscriber_SkipsFramesWithoutHoldingUpOthers()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        // ~400 rows make each frame a few hundred KB, so the stalled reader's socket buffers fill within a few frames.
        var active = Enumerable.Range(0, 400).Select(_ => host.StartRequest("a-rather-long-model-name-to-make-the-frames-bigger")).ToList();
        var stalled = await client.GetAsync(StreamPath, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(MetricsTestHost.Timeout, ct);
        await using var reader = await SseTestStream.OpenAsync(client);

        for (var i = 0; i < 60; i++)
        {
            active[i].Complete();
            var started = host.StartRequest();
            active.Add(started);
            await reader.WaitForAsync(e => SseTestStream.RequestIds(e).Contains(started.RequestId));
        }

        stalled.Dispose();
        await host.Logs.WaitForAsync("SubscriberRemoved");
        var dropped = host.Logs.Events("SubscriberRemoved").Select(e => Convert.ToInt64(e["DroppedFrames"], System.Globalization.CultureInfo.InvariantCulture)).Max();
        Assert.True(dropped > 0, "the stalled subscriber never skipped a frame; make the frames bigger");
        TestContext.Current.TestOutputHelper?.WriteLine($"stalled subscriber skipped {dropped} frames");
        foreach (var request in active)
        {
            request.Dispose();
        }
    }
}
