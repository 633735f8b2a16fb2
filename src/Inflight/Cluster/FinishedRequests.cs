using System.Collections.Concurrent;
using Inflight.Tracking;

namespace Inflight.Cluster;

/// <summary>
/// Hands every finished request to the cluster publisher, which sends its end event. An observer of its own
/// (not the publisher) because the tracker is built with its observers and the publisher needs the tracker.
/// On the request's thread it only enqueues and signals; while Redis is down the oldest entries are dropped.
/// </summary>
internal sealed class FinishedRequests(Microsoft.Extensions.Options.IOptions<ClusterOptions> options) : IRequestObserver
{
    public const int Capacity = 1000;

    private readonly bool _enabled = options.Value.Enabled;
    private readonly ConcurrentQueue<RequestLogEntry> _queue = new();
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>Completes when an entry arrives after this was read.</summary>
    public Task Arrived => Volatile.Read(ref _arrived).Task;

    public bool HasPending => !_queue.IsEmpty;

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        if (!_enabled)
        {
            return;
        }

        _queue.Enqueue(entry);
        if (_queue.Count > Capacity)
        {
            _queue.TryDequeue(out _);
        }

        Interlocked.Exchange(ref _arrived, NewSignal()).TrySetResult();
    }

    public List<RequestLogEntry> Drain()
    {
        var entries = new List<RequestLogEntry>();
        while (_queue.TryDequeue(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
