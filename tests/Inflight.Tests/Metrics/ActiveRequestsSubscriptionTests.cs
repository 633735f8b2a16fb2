using System.Buffers;
using System.Net.ServerSentEvents;
using Inflight.Metrics;

namespace Inflight.Tests.Metrics;

public sealed class ActiveRequestsSubscriptionTests
{
    [Fact]
    public void Offer_UnreadFrameReplaced_KeepsNewestAndCountsDrops()
    {
        using var subscription = new ActiveRequestsSubscription(_ => { });

        subscription.Offer(Frame(1));
        subscription.Offer(Frame(2));
        subscription.Offer(Frame(3));

        Assert.True(subscription.TryTake(out var frame));
        Assert.Equal(3, frame.Id);
        Assert.Equal(2, subscription.DroppedFrames);
        Assert.False(subscription.TryTake(out _));
    }

    [Fact]
    public void Offer_OlderOrSameFrame_Ignored()
    {
        using var subscription = new ActiveRequestsSubscription(_ => { });
        subscription.Offer(Frame(5));
        Assert.True(subscription.TryTake(out _));

        subscription.Offer(Frame(4));
        subscription.Offer(Frame(5));

        Assert.False(subscription.TryTake(out _));
        Assert.Equal(0, subscription.DroppedFrames);
    }

    [Fact]
    public async Task WaitAsync_FrameOffered_Completes()
    {
        using var subscription = new ActiveRequestsSubscription(_ => { });
        var waiting = subscription.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        subscription.Offer(Frame(1));

        await waiting.WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
        Assert.True(subscription.TryTake(out _));
    }

    [Fact]
    public async Task WaitAsync_Cancelled_Throws()
    {
        using var subscription = new ActiveRequestsSubscription(_ => { });
        using var cts = new CancellationTokenSource();
        var waiting = subscription.WaitAsync(cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public void Dispose_Twice_UnsubscribesOnce()
    {
        var unsubscribed = 0;
        var subscription = new ActiveRequestsSubscription(_ => unsubscribed++);

        subscription.Dispose();
        subscription.Dispose();

        Assert.Equal(1, unsubscribed);
    }

    [Fact]
    public async Task SseFrame_ParsedBySseParser_RoundTrips()
    {
        var bytes = new List<byte>();
        bytes.AddRange(SseFrame.Retry.ToArray());
        bytes.AddRange(Frame(7).Utf8);
        bytes.AddRange(SseFrame.Heartbeat.ToArray());
        bytes.AddRange(Frame(8).Utf8);
        var parser = SseParser.Create(new MemoryStream([.. bytes]));

        var items = new List<SseItem<string>>();
        await foreach (var item in parser.EnumerateAsync(TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        Assert.Equal(["7", "8"], items.Select(i => i.EventId));
        Assert.All(items, i => Assert.Equal("update", i.EventType));
        Assert.All(items, i => Assert.Equal("{\"n\":1}", i.Data));
        Assert.Equal(TimeSpan.FromMilliseconds(SseFrame.ReconnectDelayMs), parser.ReconnectionInterval);
    }

    private static SseFrame Frame(long id)
        => SseFrame.Create("update", id, id, 0, new ArrayBufferWriter<byte>(), static w => w.Write("{\"n\":1}"u8));
}
