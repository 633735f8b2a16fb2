using System.Text;
using System.Text.Json;
using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inflight.Tests.Metrics;

public sealed class ActiveRequestsBroadcasterTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_window = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void Subscribe_RequestActive_SlotHoldsCurrentSnapshot()
    {
        var (time, tracker, broadcaster) = Create();
        using var request = Start(tracker);

        using var subscription = broadcaster.Subscribe();

        Assert.True(subscription.TryTake(out var frame));
        var text = Encoding.UTF8.GetString(frame.Utf8);
        Assert.StartsWith("event: update\nid: 1\ndata: {\"disabled\":false,", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n\n", text, StringComparison.Ordinal);
        Assert.Contains(request.RequestId, text, StringComparison.Ordinal);
        Assert.Equal(1, broadcaster.FramesBuilt);
        Assert.False(time.TryTakeTimer(out _));
    }

    [Fact]
    public async Task Publisher_BurstOfChanges_OneFrameAtEndOfWindow()
    {
        var (time, tracker, broadcaster) = Create();
        using var subscription = broadcaster.Subscribe();
        Assert.True(subscription.TryTake(out _));
        await broadcaster.StartAsync(TestContext.Current.CancellationToken);

        var burst = Enumerable.Range(0, 5).Select(_ => Start(tracker)).ToList();

        // The seed was built a moment ago (fake time has not moved), so the burst waits out the window.
        Assert.Equal(s_window, await time.NextTimerAsync());
        Assert.False(subscription.TryTake(out _));
        time.Advance(s_window);
        await subscription.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
        Assert.True(subscription.TryTake(out var frame));
        Assert.Equal(2, broadcaster.FramesBuilt);
        Assert.All(burst, r => Assert.Contains(r.RequestId, Encoding.UTF8.GetString(frame.Utf8), StringComparison.Ordinal));
        await broadcaster.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Publisher_ChangeAfterQuietPeriod_PublishesWithoutWaiting()
    {
        var (time, tracker, broadcaster) = Create();
        using var subscription = broadcaster.Subscribe();
        Assert.True(subscription.TryTake(out _));
        await broadcaster.StartAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));

        using var request = Start(tracker);

        // Leading edge: no timer has to fire for an isolated change.
        await subscription.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
        Assert.True(subscription.TryTake(out var frame));
        Assert.Contains(request.RequestId, Encoding.UTF8.GetString(frame.Utf8), StringComparison.Ordinal);
        await broadcaster.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Publisher_RequestsActiveWithoutChanges_RefreshesEveryInterval()
    {
        var (time, tracker, broadcaster) = Create();
        using var request = Start(tracker);
        using var subscription = broadcaster.Subscribe();
        Assert.True(subscription.TryTake(out _));
        await broadcaster.StartAsync(TestContext.Current.CancellationToken);

        var durations = new List<double>();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(s_interval, await time.NextTimerAsync());
            time.Advance(s_interval);
            await subscription.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
            Assert.True(subscription.TryTake(out var frame));
            durations.Add(DurationMs(frame));
        }

        Assert.Equal([2000d, 4000d], durations);
        Assert.Equal(3, broadcaster.FramesBuilt);
        await broadcaster.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Publisher_NoSubscribers_SerializesNothing()
    {
        var (time, tracker, broadcaster) = Create();
        await broadcaster.StartAsync(TestContext.Current.CancellationToken);

        for (var i = 0; i < 10; i++)
        {
            Start(tracker).Complete();
            time.Advance(s_window);
        }

        using var active = Start(tracker);
        time.Advance(s_interval * 3);

        Assert.Equal(0, broadcaster.FramesBuilt);
        await broadcaster.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Publisher_ManySubscribers_ShareOneFramePerChange()
    {
        var (time, tracker, broadcaster) = Create();
        var subscriptions = Enumerable.Range(0, 100).Select(_ => broadcaster.Subscribe()).ToList();
        foreach (var subscription in subscriptions)
        {
            Assert.True(subscription.TryTake(out _));
        }

        await broadcaster.StartAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));

        using var request = Start(tracker);

        var frames = new List<SseFrame>();
        foreach (var subscription in subscriptions)
        {
            await subscription.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
            Assert.True(subscription.TryTake(out var frame));
            frames.Add(frame);
        }

        Assert.All(frames, f => Assert.Same(frames[0], f));
        Assert.Equal(2, broadcaster.FramesBuilt);
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        Assert.Equal(0, broadcaster.SubscriberCount);
        await broadcaster.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Subscribe_SecondSubscriberWithoutChanges_ReusesFrame()
    {
        var (_, tracker, broadcaster) = Create();
        using var request = Start(tracker);

        using var first = broadcaster.Subscribe();
        using var second = broadcaster.Subscribe();

        Assert.True(first.TryTake(out var a));
        Assert.True(second.TryTake(out var b));
        Assert.Same(a, b);
        Assert.Equal(1, broadcaster.FramesBuilt);
    }

    [Fact]
    public async Task StopAsync_WhilePublisherWaits_CompletesPromptly()
    {
        var (_, _, broadcaster) = Create();
        using var subscription = broadcaster.Subscribe();
        await broadcaster.StartAsync(TestContext.Current.CancellationToken);

        await broadcaster.StopAsync(TestContext.Current.CancellationToken).WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);

        Assert.True(broadcaster.ExecuteTask?.IsCompleted);
    }

    [Fact]
    public void CoalescingWindow_ExpensiveSnapshot_WidensToTenTimesTheBuildCostWithinTheCap()
    {
        // Every clock read moves time by 2 ms, so serializing a snapshot "costs" a few milliseconds.
        var time = new SteppingTimeProvider(TimeSpan.FromMilliseconds(2));
        var tracker = new RequestTracker(time);
        var broadcaster = new ActiveRequestsBroadcaster(tracker, time, s_interval, TimeSpan.FromMilliseconds(10), NullLogger.Instance);
        Assert.Equal(TimeSpan.FromMilliseconds(10), broadcaster.CoalescingWindow);
        using var request = Start(tracker);

        _ = broadcaster.GetCurrentFrame();

        Assert.InRange(broadcaster.CoalescingWindow, TimeSpan.FromMilliseconds(20), ActiveRequestsBroadcaster.MaxCoalescingWindow);
        Assert.Equal(0, broadcaster.CoalescingWindow.Ticks % (TimeSpan.TicksPerMillisecond * 20));
    }

    private sealed class SteppingTimeProvider(TimeSpan step) : Microsoft.Extensions.Time.Testing.FakeTimeProvider
    {
        public override long GetTimestamp()
        {
            Advance(step);
            return base.GetTimestamp();
        }
    }

    private static (TimerWatchingTimeProvider Time, RequestTracker Tracker, ActiveRequestsBroadcaster Broadcaster) Create()
    {
        var time = new TimerWatchingTimeProvider();
        var tracker = new RequestTracker(time);
        return (time, tracker, new ActiveRequestsBroadcaster(tracker, time, s_interval, s_window, NullLogger.Instance));
    }

    private static TrackedRequest Start(RequestTracker tracker) => tracker.Start(new RequestStart
    {
        Provider = "openai",
        RequestedModel = "openai:gpt-test",
        ResolvedModel = "gpt-test",
        ClientFormat = "openai",
        UpstreamFormat = "openai",
    });

    private static double DurationMs(SseFrame frame)
    {
        var text = Encoding.UTF8.GetString(frame.Utf8);
        var data = text[(text.IndexOf("data: ", StringComparison.Ordinal) + "data: ".Length)..].TrimEnd('\n');
        using var json = JsonDocument.Parse(data);
        return json.RootElement.GetProperty("active_requests")[0].GetProperty("duration_ms").GetDouble();
    }
}
