using System.Collections.Concurrent;
using Inflight.Gateway;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Translation;

/// <summary>
/// The fake clock of a gateway under test that also shows where its relays stand: whether a relay is waiting
/// on a silent upstream (its keep-alive timer running), and whether a flush to the client is stuck
/// (a CLIENT_WRITE_TIMEOUT timer armed). A test advances the clock only once the relay is actually waiting.
/// </summary>
internal sealed class RelayClock(TimeSpan clientWriteTimeout) : FakeTimeProvider
{
    private static readonly TimeSpan s_safety = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<KeepAliveWait> _keepAlives = new();
    private readonly ConcurrentQueue<WatchedTimer> _timers = new();

    /// <summary>Whether a relay waits on a silent upstream, so advancing by the interval makes it ping.</summary>
    public bool RelayWaiting => _keepAlives.Any(k => k.IsWaiting);

    /// <summary>Whether every keep-alive timer a relay made has been disposed (they go with their relay).</summary>
    public bool KeepAliveTimersDisposed => _timers.Where(t => t.KeepAlive).All(t => t.Disposed);

    /// <summary>Whether a flush to a client is pending with its CLIENT_WRITE_TIMEOUT running.</summary>
    public bool ClientWriteStuck => _timers.Any(t => t.ArmedFor == clientWriteTimeout);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (state is KeepAliveWait keepAlive)
        {
            _keepAlives.Enqueue(keepAlive);
        }

        var timer = new WatchedTimer(base.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), state is KeepAliveWait);
        timer.Change(dueTime, period);
        _timers.Enqueue(timer);
        return timer;
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds. The relay's state changes on its own threads and raises
    /// no event, so this polls; the timeout is only a safety net.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_safety);
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    private sealed class WatchedTimer(ITimer inner, bool keepAlive) : ITimer
    {
        private long _armedForTicks = Timeout.InfiniteTimeSpan.Ticks;
        private volatile bool _disposed;

        public bool KeepAlive => keepAlive;

        public bool Disposed => _disposed;

        /// <summary>The due time of the last Change (infinite once disposed); a timer that fired keeps it, which the callers here allow for.</summary>
        public TimeSpan ArmedFor => TimeSpan.FromTicks(Interlocked.Read(ref _armedForTicks));

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Exchange(ref _armedForTicks, dueTime.Ticks);
            return inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            _disposed = true;
            Interlocked.Exchange(ref _armedForTicks, Timeout.InfiniteTimeSpan.Ticks);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            Interlocked.Exchange(ref _armedForTicks, Timeout.InfiniteTimeSpan.Ticks);
            return inner.DisposeAsync();
        }
    }
}
