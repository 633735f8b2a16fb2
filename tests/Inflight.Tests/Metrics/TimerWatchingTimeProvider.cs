using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tests.Metrics;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer it creates, so a test advances the clock only once
/// the code under test is actually waiting on it — no sleeps, no races with the background loop.
/// </summary>
internal sealed class TimerWatchingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer created.</summary>
    public async Task<TimeSpan> NextTimerAsync()
        => await _created.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);

    public bool TryTakeTimer(out TimeSpan dueTime) => _created.Reader.TryRead(out dueTime);
}
