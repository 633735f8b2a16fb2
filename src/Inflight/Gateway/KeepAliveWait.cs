using System.Threading.Tasks.Sources;

namespace Inflight.Gateway;

/// <summary>
/// One relay's wait on its pending upstream reads, woken when the read completes or when a keep-alive ping
/// is due (<see cref="Configuration.GatewayOptions.StreamPingInterval"/> of silence). The relay writes the ping
/// itself, so the response has one writer. Per relay: one timer, created on the first pending read and
/// re-armed only when it fires (a read that completes leaves it alone); one reusable awaitable. A read that
/// completes first resumes the relay on the thread that completed it: no timer, token source or hop per read.
/// </summary>
internal sealed class KeepAliveWait : IValueTaskSource<bool>, IDisposable
{
    // System timers run on a coarse clock and can fire a little early: a rest shorter than this is due now,
    // rather than a re-arm that fires again at once.
    private static readonly TimeSpan s_timerSlack = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly Action _onReadCompleted;
    private readonly Lock _lock = new();

    // Continuations run inline: the read's completion resumes the relay where an await would have.
    private ManualResetValueTaskSourceCore<bool> _signal;
    private ITimer? _timer;
    private bool _timerArmed;
    private ValueTask<int> _read;
    private bool _readOutstanding;
    private bool _readCompleted;
    private bool _waiting;
    private long _silentSince;
    private bool _disposed;

    public KeepAliveWait(TimeSpan interval, TimeProvider timeProvider)
    {
        _interval = interval;
        _timeProvider = timeProvider;
        _onReadCompleted = OnReadCompleted;
    }

    /// <summary>Whether the relay is waiting on a silent upstream (a read pending, the ping timer running).</summary>
    public bool IsWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting;
            }
        }
    }

    /// <summary>Watches a read that did not complete at once; <see cref="WaitAsync"/> then waits on it.</summary>
    public void Watch(ValueTask<int> read)
    {
        lock (_lock)
        {
            _read = read;
            _readOutstanding = true;
            _readCompleted = false;
        }

        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onReadCompleted);
    }

    /// <summary>
    /// True when the watched read completed (<see cref="TakeRead"/> gives its result); false when the upstream
    /// has been silent for the interval since this call, and a ping is due.
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_readCompleted)
            {
                return new ValueTask<bool>(true);
            }

            _signal.Reset();
            _waiting = true;
            _silentSince = _timeProvider.GetTimestamp();
            if (!_timerArmed)
            {
                // A timer still armed from an earlier wait fires early, finds the silence shorter and re-arms for the rest.
                _timer ??= _timeProvider.CreateTimer(static state => ((KeepAliveWait)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(_interval, Timeout.InfiniteTimeSpan);
                _timerArmed = true;
            }

            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>The completed read's byte count, or what it threw.</summary>
    public int TakeRead()
    {
        ValueTask<int> read;
        lock (_lock)
        {
            read = _read;
            _read = default;
            _readOutstanding = false;
        }

        return read.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer?.Dispose();
            if (_readCompleted && _readOutstanding)
            {
                ObserveAbandonedRead();
            }
        }
    }

    private void OnReadCompleted()
    {
        lock (_lock)
        {
            _readCompleted = true;
            if (_disposed && _readOutstanding)
            {
                // The relay left during the read (a ping's write failed); its fault is nobody's to see.
                ObserveAbandonedRead();
                return;
            }

            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _signal.SetResult(true);
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            _timerArmed = false;
            if (!_waiting || _disposed)
            {
                // No read pending: the next pending read arms the timer again.
                return;
            }

            var rest = _interval - _timeProvider.GetElapsedTime(_silentSince);
            if (rest >= s_timerSlack)
            {
                _timer!.Change(rest, Timeout.InfiniteTimeSpan);
                _timerArmed = true;
                return;
            }

            _waiting = false;
        }

        _signal.SetResult(false);
    }

    /// <summary>Reads the abandoned read's outcome without throwing, so a fault does not surface as an unobserved task exception.</summary>
    private void ObserveAbandonedRead()
    {
        _ = _read.AsTask().Exception;
        _read = default;
        _readOutstanding = false;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _signal.OnCompleted(continuation, state, token, flags);
}
