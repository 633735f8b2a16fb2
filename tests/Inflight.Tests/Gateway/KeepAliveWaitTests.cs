using Inflight.Gateway;
using Inflight.Tests.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Gateway;

/// <summary>
/// When a relay waiting on a silent upstream is told to write a keep-alive, on a fake clock: a ping per interval
/// of silence, none while the upstream talks, and no read lost to a ping.
/// </summary>
public sealed class KeepAliveWaitTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task WaitAsync_ReadCompletesWithinInterval_ReturnsTheReadAndNoPing()
    {
        var clock = new FakeTimeProvider();
        using var wait = new KeepAliveWait(s_interval, clock);
        var read = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(read.Task));

        var waiting = wait.WaitAsync();
        clock.Advance(s_interval - s_tick);
        Assert.False(waiting.IsCompleted);
        read.SetResult(42);

        Assert.True(await waiting);
        Assert.Equal(42, wait.TakeRead());
        clock.Advance(s_interval * 3);
        Assert.False(wait.IsWaiting);
    }

    [Fact]
    public async Task WaitAsync_SilenceOfThreeIntervals_PingIsDueOncePerInterval()
    {
        var clock = new FakeTimeProvider();
        using var wait = new KeepAliveWait(s_interval, clock);
        var read = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(read.Task));

        for (var ping = 0; ping < 3; ping++)
        {
            // The relay writes its ping, then waits again: the next one is an interval after that.
            var waiting = wait.WaitAsync();
            clock.Advance(s_interval - s_tick);
            Assert.False(waiting.IsCompleted);
            clock.Advance(s_tick);
            Assert.True(waiting.IsCompleted);
            Assert.False(await waiting);
        }

        var last = wait.WaitAsync();
        read.SetResult(7);
        Assert.True(await last);
        Assert.Equal(7, wait.TakeRead());
    }

    [Fact]
    public async Task WaitAsync_ReadCompletesWhileThePingIsWritten_ReturnsTheReadNext()
    {
        var clock = new FakeTimeProvider();
        using var wait = new KeepAliveWait(s_interval, clock);
        var read = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(read.Task));

        var waiting = wait.WaitAsync();
        clock.Advance(s_interval);
        Assert.False(await waiting);
        read.SetResult(5);

        var next = wait.WaitAsync();
        Assert.True(next.IsCompletedSuccessfully);
        Assert.True(await next);
        Assert.Equal(5, wait.TakeRead());
    }

    [Fact]
    public async Task WaitAsync_ChunkArrivesAtTheInstantThePingIsDue_NeitherIsLostAndOnePingAtMost()
    {
        var clock = new FakeTimeProvider();
        using var wait = new KeepAliveWait(s_interval, clock);
        var read = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(read.Task));
        var waiting = wait.WaitAsync();
        // The chunk lands on another timer due at the same instant as the ping.
        using var chunk = clock.CreateTimer(_ => read.SetResult(9), null, s_interval, Timeout.InfiniteTimeSpan);

        clock.Advance(s_interval);

        var pings = 0;
        while (!await waiting)
        {
            pings++;
            waiting = wait.WaitAsync();
        }

        Assert.InRange(pings, 0, 1);
        Assert.Equal(9, wait.TakeRead());
    }

    [Fact]
    public async Task WaitAsync_ManyQuickReadsThenSilence_OneTimerAndThePingAnIntervalAfterTheSilenceBegan()
    {
        var clock = new TimerWatchingTimeProvider();
        using var wait = new KeepAliveWait(s_interval, clock);
        for (var i = 0; i < 100; i++)
        {
            var quick = new TaskCompletionSource<int>();
            wait.Watch(new ValueTask<int>(quick.Task));
            var waiting = wait.WaitAsync();
            clock.Advance(TimeSpan.FromMilliseconds(250));
            quick.SetResult(i + 1);
            Assert.True(await waiting);
            Assert.Equal(i + 1, wait.TakeRead());
        }

        // 25 s of chunks: the timer armed by the first wait fired long ago; the silence starts now.
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var silent = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(silent.Task));
        var quiet = wait.WaitAsync();
        clock.Advance(s_interval - s_tick);
        Assert.False(quiet.IsCompleted);
        clock.Advance(s_tick);
        Assert.False(await quiet);

        Assert.True(clock.TryTakeTimer(out _));
        Assert.False(clock.TryTakeTimer(out _));
        wait.Dispose();
        silent.SetResult(0);
    }

    [Fact]
    public async Task Dispose_RelayLeftDuringSilence_NoMorePingsAndTheReadFaultIsAbsorbed()
    {
        var clock = new FakeTimeProvider();
        var wait = new KeepAliveWait(s_interval, clock);
        var read = new TaskCompletionSource<int>();
        wait.Watch(new ValueTask<int>(read.Task));
        var waiting = wait.WaitAsync();
        clock.Advance(s_interval);
        Assert.False(await waiting);

        // The ping's write failed; the relay leaves with the read still pending, and closing the upstream breaks it.
        wait.Dispose();
        clock.Advance(s_interval * 3);
        read.SetException(new IOException("connection closed"));

        Assert.False(wait.IsWaiting);
        Assert.Throws<ObjectDisposedException>(() => wait.WaitAsync());
    }
}
