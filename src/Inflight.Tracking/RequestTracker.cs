using System.Collections.Concurrent;

namespace Inflight.Tracking;

/// <summary>
/// Registry of in-flight requests. <see cref="Start"/> registers a request and hands back its
/// <see cref="TrackedRequest"/>; every change bumps <see cref="Version"/> and wakes
/// <see cref="WaitForChangeAsync"/> waiters, so observers never poll.
/// </summary>
public sealed class RequestTracker
{
    private readonly ConcurrentDictionary<string, TrackedRequest> _active = new(StringComparer.Ordinal);
    private long _version;
    private long _sequence;
    private TaskCompletionSource _changed = NewSignal();

    public RequestTracker(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Monotonic; increments on every start, progress and finish.</summary>
    public long Version => Interlocked.Read(ref _version);

    public int ActiveCount => _active.Count;

    public TrackedRequest Start(RequestStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var requestId = start.RequestId ?? NewRequestId();
        var request = new TrackedRequest(this, start, requestId, TimeProvider.GetTimestamp(), TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        if (!_active.TryAdd(requestId, request))
        {
            throw new InvalidOperationException($"Request id '{requestId}' is already active.");
        }

        NotifyChanged();
        return request;
    }

    /// <summary>The active requests, newest first.</summary>
    public IReadOnlyList<ActiveRequestSnapshot> GetActiveRequests()
    {
        var now = TimeProvider.GetTimestamp();
        var list = new List<ActiveRequestSnapshot>(_active.Count);
        foreach (var (_, request) in _active)
        {
            list.Add(request.ToSnapshot(now));
        }

        list.Sort(static (a, b) => b.StartTime.CompareTo(a.StartTime));
        return list;
    }

    /// <summary>Completes when <see cref="Version"/> is greater than <paramref name="knownVersion"/>; returns the new version.</summary>
    public async ValueTask<long> WaitForChangeAsync(long knownVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _changed);
            var current = Version;
            if (current > knownVersion)
            {
                return current;
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void NotifyChanged()
    {
        Interlocked.Increment(ref _version);
        var previous = Interlocked.Exchange(ref _changed, NewSignal());
        previous.TrySetResult();
    }

    internal void OnFinalized(TrackedRequest request, int? statusCode, string? errorType, string? errorMessage)
    {
        _active.TryRemove(request.RequestId, out _);
        NotifyChanged();
    }

    private string NewRequestId()
        => "req_" + TimeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture)
            + Interlocked.Increment(ref _sequence).ToString("x4", System.Globalization.CultureInfo.InvariantCulture);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
