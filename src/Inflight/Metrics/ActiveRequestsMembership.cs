using System.Collections.Concurrent;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// Tells the delta publisher about starts and ends as they happen. A start or an end wakes it at once (progress
/// waits for its coalescing window), and every end is queued with its final entry, so a request that starts and
/// ends between two rounds still gets its <c>request-start</c> and <c>request-end</c>. An observer of its own
/// (not the publisher) because the tracker is built with its observers and the publisher needs the tracker.
/// While nobody watches it is off and queues nothing.
/// </summary>
internal sealed class ActiveRequestsMembership : IRequestObserver
{
    private readonly ConcurrentQueue<(TrackedRequest Request, RequestLogEntry Entry)> _finished = new();
    private int _enabled;
    private int _pending;

    // Null unless the publisher waits: a start with nobody waiting costs two flag writes.
    private TaskCompletionSource? _changed;

    /// <summary>True when a start or an end came since <see cref="TakePending"/>.</summary>
    public bool IsPending => Volatile.Read(ref _pending) != 0;

    /// <summary>Starts queueing. Call before reading the active list, so that every later end is either in it or queued.</summary>
    public void Enable()
    {
        _finished.Clear();

        // A full fence: the finalizer removes the request and then reads the flag (after a fenced version bump),
        // so a request the publisher does not find active has its end queued.
        Interlocked.Exchange(ref _enabled, 1);
    }

    public void Disable()
    {
        Interlocked.Exchange(ref _enabled, 0);
        _finished.Clear();
    }

    /// <summary>Clears the pending flag; true when it was set. Call before reading the tracker.</summary>
    public bool TakePending() => Interlocked.Exchange(ref _pending, 0) != 0;

    public bool TryTakeFinished(out TrackedRequest request, out RequestLogEntry entry)
    {
        var taken = _finished.TryDequeue(out var item);
        (request, entry) = item;
        return taken;
    }

    /// <summary>Completes at the next start or end (at once if one is pending).</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        if (IsPending)
        {
            return Task.CompletedTask;
        }

        var signal = Volatile.Read(ref _changed);
        if (signal is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = Interlocked.CompareExchange(ref _changed, fresh, null) ?? fresh;
        }

        // Re-checked after the signal is installed: a start that set the flag before saw no waiter.
        return IsPending ? Task.CompletedTask : signal.Task.WaitAsync(cancellationToken);
    }

    public void OnStarted(TrackedRequest request)
    {
        if (Volatile.Read(ref _enabled) != 0)
        {
            Signal();
        }
    }

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        if (Volatile.Read(ref _enabled) != 0)
        {
            _finished.Enqueue((request, entry));
            Signal();
        }
    }

    private void Signal()
    {
        // The exchange is a full fence: the waiter installs its signal before re-reading the flag.
        Interlocked.Exchange(ref _pending, 1);
        if (Volatile.Read(ref _changed) is not null)
        {
            Interlocked.Exchange(ref _changed, null)?.TrySetResult();
        }
    }
}
