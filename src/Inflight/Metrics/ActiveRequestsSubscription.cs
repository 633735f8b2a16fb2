namespace Inflight.Metrics;

/// <summary>
/// One stream's mailbox: a latest-value slot, not a queue. The publisher overwrites an unread frame with a
/// newer one (counting the drop) and never waits, so a slow reader skips to the newest snapshot and cannot
/// hold up the publisher or the other streams. Disposing unsubscribes; it is idempotent.
/// </summary>
/// <remarks>
/// Not a <c>Channel</c> with <c>DropOldest</c>: frames reach the slot from two writers (the publisher and the
/// subscribe-time seed), and only a compare on <see cref="SseFrame.Id"/> guarantees an older frame never
/// replaces a newer one.
/// </remarks>
internal sealed class ActiveRequestsSubscription : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Action<ActiveRequestsSubscription> _unsubscribe;
    private SseFrame? _pending;
    private long _newestId = -1;
    private long _droppedFrames;
    private TaskCompletionSource? _waiter;
    private int _disposed;

    public ActiveRequestsSubscription(Action<ActiveRequestsSubscription> unsubscribe)
    {
        _unsubscribe = unsubscribe;
    }

    /// <summary>Frames overwritten before this subscriber read them.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    /// <summary>Hands a frame over; returns at once. Frames not newer than one already offered are ignored.</summary>
    public void Offer(SseFrame frame)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (frame.Id <= _newestId)
            {
                return;
            }

            if (_pending is not null)
            {
                Interlocked.Increment(ref _droppedFrames);
            }

            _newestId = frame.Id;
            _pending = frame;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Takes the newest unread frame, if any.</summary>
    public bool TryTake(out SseFrame frame)
    {
        lock (_gate)
        {
            frame = _pending!;
            _pending = null;
            return frame is not null;
        }
    }

    /// <summary>Completes when a frame is waiting to be taken. One reader at a time.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending is not null)
            {
                return Task.CompletedTask;
            }

            _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _unsubscribe(this);
        }
    }
}
