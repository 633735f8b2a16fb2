using System.Collections.Concurrent;
using System.Globalization;

namespace Inflight.Tracking;

/// <summary>
/// Registry of in-flight requests, running totals and recent logs. <see cref="Start"/> registers a
/// request and hands back its <see cref="TrackedRequest"/>; every change bumps <see cref="Version"/>
/// and wakes <see cref="WaitForChangeAsync"/> waiters, so observers never poll.
/// </summary>
/// <remarks>
/// Invariant: a request is either active or finalized, never both and never neither. Removal from
/// the active set and recording into the totals and logs happen together under <c>_finalizeLock</c>,
/// and <see cref="GetRunningTotals"/> reads both under the same lock.
/// </remarks>
public sealed class RequestTracker
{
    private readonly ConcurrentDictionary<string, TrackedRequest> _active = new(StringComparer.Ordinal);
    private readonly Lock _finalizeLock = new();
    private readonly RunningTotals _totals;
    private readonly RecentRing<RequestLogEntry> _recentRequests;
    private readonly RecentRing<RequestLogEntry> _recentErrors;
    private readonly IRequestObserver[] _observers;
    private long _version;
    private long _sequence;
    private int _activeCount;
    private long _stalledRequests;
    private long _stalledRecovered;
    private readonly Breakdown _byClient = new();
    private readonly Breakdown _byKey = new();
    private readonly Dictionary<string, long> _authFailures = new(StringComparer.Ordinal);

    // Null unless someone waits: a change with no waiter costs one interlocked increment and one read.
    private TaskCompletionSource? _changed;

    public RequestTracker(TimeProvider timeProvider, TrackerOptions? options = null, IEnumerable<IRequestObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        Options = options ?? new TrackerOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(Options.RecentRequestsCapacity, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.RecentErrorsCapacity, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxClientStringLength, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxErrorMessageLength, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.MaxModelsPerProvider, nameof(options));
        _totals = new RunningTotals(Options.MaxModelsPerProvider);
        _recentRequests = new RecentRing<RequestLogEntry>(Options.RecentRequestsCapacity);
        _recentErrors = new RecentRing<RequestLogEntry>(Options.RecentErrorsCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.StallThreshold, TimeSpan.Zero, nameof(options));
        _observers = observers?.ToArray() ?? [];
        StartTime = EpochSeconds();
    }

    /// <summary>When this tracker (the process) started, epoch seconds: what in-memory totals count from.</summary>
    public double StartTime { get; }

    /// <summary>Whether a model passes the running totals' filters (<c>provider</c> exact, <c>model</c> a glob on the bare or qualified name).</summary>
    public static bool MatchesTotalsFilter(string provider, string model, string qualifiedModel, string? providerFilter, string? modelGlob)
        => RunningTotals.Matches(provider, model, qualifiedModel, providerFilter, modelGlob);

    /// <summary>The model under which a provider's totals gather models beyond <see cref="TrackerOptions.MaxModelsPerProvider"/>.</summary>
    public const string OtherModel = "other";

    public TimeProvider TimeProvider { get; }

    public TrackerOptions Options { get; }

    /// <summary>Monotonic; increments on every start, progress and finish.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Requests started and not yet finalized (cheap: no enumeration, no lock).</summary>
    public int ActiveCount => Volatile.Read(ref _activeCount);

    public TrackedRequest Start(RequestStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        start = BoundedText.Cap(start, Options.MaxClientStringLength);
        var sequence = Interlocked.Increment(ref _sequence);
        var requestId = start.RequestId ?? NewRequestId(sequence);
        var request = new TrackedRequest(this, start, requestId, sequence, TimeProvider.GetTimestamp(), EpochSeconds());
        if (!_active.TryAdd(requestId, request))
        {
            throw new InvalidOperationException($"Request id '{requestId}' is already active.");
        }

        Interlocked.Increment(ref _activeCount);
        NotifyChanged();
        foreach (var observer in _observers)
        {
            observer.OnStarted(request);
        }

        return request;
    }

    /// <summary>Adds every active request's handle to <paramref name="into"/>, in no particular order.</summary>
    internal void CopyActive(List<TrackedRequest> into)
    {
        foreach (var (_, request) in _active)
        {
            into.Add(request);
        }
    }

    /// <summary>The active request with this id, or null.</summary>
    public TrackedRequest? FindActive(string requestId) => _active.TryGetValue(requestId, out var request) ? request : null;

    /// <summary>The newest finished request with this id still in the recent-requests ring, or null.</summary>
    public RequestLogEntry? FindRecent(string requestId)
    {
        lock (_finalizeLock)
        {
            return _recentRequests.FindNewest(entry => string.Equals(entry.RequestId, requestId, StringComparison.Ordinal))
                ?? _recentErrors.FindNewest(entry => string.Equals(entry.RequestId, requestId, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Cancels an active request on behalf of <paramref name="by"/>: its upstream call is aborted and the gateway
    /// finalizes it as <see cref="ErrorTypes.Cancelled"/>. Completes with the final entry; null when the id is not
    /// active (unknown, finished, or already being cancelled).
    /// </summary>
    public async Task<RequestLogEntry?> CancelAsync(string requestId, string by, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        if (FindActive(requestId) is not { } request || !request.RequestCancel(by))
        {
            return null;
        }

        try
        {
            return await request.WhenFinishedAsync().WaitAsync(wait, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The request's owner did not react in time: finalize it here so the operator still gets an answer.
            request.Fail(ErrorTypes.Cancelled, $"Cancelled by {by}.", 499);
            return await request.WhenFinishedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records a call refused for a missing or wrong key: counted per <paramref name="route"/> and listed in recent
    /// errors with the caller's address and user-agent (never the key). Returns the id the refusal carries.
    /// </summary>
    public string RecordAuthFailure(string route, string? clientAddress, string? userAgent, string reason)
    {
        var requestId = NewRequestId();
        var now = EpochSeconds();
        var entry = new RequestLogEntry
        {
            RequestId = requestId,
            Provider = "-",
            Model = "-",
            RequestedModel = "-",
            QualifiedModel = "-",
            Status = RequestStatus.Error,
            StatusCode = 401,
            ErrorType = ErrorTypes.AuthError,
            ErrorMessage = $"Rejected key on {route}: {reason}",
            StartTime = now,
            EndTime = now,
            ClientFormat = "-",
            UpstreamFormat = "-",
            ClientAddress = clientAddress,
            UserAgent = userAgent,
        };
        lock (_finalizeLock)
        {
            // Route patterns are a fixed set (the mapped endpoints), so this stays small.
            _authFailures[route] = _authFailures.GetValueOrDefault(route) + 1;
            _recentErrors.Add(entry);
        }

        NotifyChanged();
        return requestId;
    }

    /// <summary>
    /// Counts a call refused with 429 because its address sent too many wrong keys, without listing it: a guesser
    /// must not push the operator's real errors out of the recent-errors ring (its first refusals are listed).
    /// </summary>
    public void CountThrottledAuthFailure(string route)
    {
        lock (_finalizeLock)
        {
            _authFailures[route] = _authFailures.GetValueOrDefault(route) + 1;
        }

        NotifyChanged();
    }

    /// <summary>Requests that went <c>stalled</c> since start, and how many of those later got bytes again.</summary>
    public (long Stalled, long Recovered) StallCounts => (Interlocked.Read(ref _stalledRequests), Interlocked.Read(ref _stalledRecovered));

    /// <summary>
    /// Marks every active request silent for the stall threshold as stalled. No timer of its own: every reader
    /// (snapshots, the SSE stream's refresh each interval while requests are active, totals) runs the check, and
    /// a request's next upstream byte or its end settles a stall nobody looked at.
    /// </summary>
    public void ScanForStalls()
    {
        if (Options.StallThreshold <= TimeSpan.Zero)
        {
            return;
        }

        var now = TimeProvider.GetTimestamp();
        foreach (var (_, request) in _active)
        {
            request.CheckStall(now);
        }
    }

    internal void OnStallEntered() => Interlocked.Increment(ref _stalledRequests);

    internal void OnStallRecovered()
    {
        Interlocked.Increment(ref _stalledRecovered);
        NotifyChanged();
    }

    /// <summary>The active requests, newest first.</summary>
    public IReadOnlyList<ActiveRequestSnapshot> GetActiveRequests()
    {
        var requests = new List<TrackedRequest>(ActiveCount);
        foreach (var (_, request) in _active)
        {
            requests.Add(request);
        }

        requests.Sort(static (a, b) => b.Sequence.CompareTo(a.Sequence));
        var now = TimeProvider.GetTimestamp();
        foreach (var request in requests)
        {
            request.CheckStall(now);
        }

        var list = new ActiveRequestSnapshot[requests.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = requests[i].ToSnapshot(now);
        }

        return list;
    }

    /// <summary>
    /// Totals since start, overall, per provider and per <c>provider:model</c>, each split streaming /
    /// non-streaming. <paramref name="providerFilter"/> matches the provider name (case-insensitive);
    /// <paramref name="modelGlob"/> (<c>*</c>, <c>?</c>, case-insensitive) matches the model or
    /// <c>provider:model</c>. With <paramref name="includeActive"/> the active requests' current
    /// figures are added; no request is ever counted both as active and as finished.
    /// </summary>
    public RunningTotalsSnapshot GetRunningTotals(string? providerFilter = null, string? modelGlob = null, bool includeActive = false)
    {
        Dictionary<string, RunningTotals.ModelTotals> models;
        var activeMatching = 0;
        lock (_finalizeLock)
        {
            models = _totals.CopyMatching(providerFilter, modelGlob);
            var now = TimeProvider.GetTimestamp();
            foreach (var (_, request) in _active)
            {
                var start = request.Start;
                if (!RunningTotals.Matches(start.Provider, start.ResolvedModel, request.QualifiedModel, providerFilter, modelGlob))
                {
                    continue;
                }

                activeMatching++;
                if (!includeActive)
                {
                    continue;
                }

                var (key, model) = _totals.KeyFor(start.Provider, start.ResolvedModel, request.QualifiedModel);
                if (!models.TryGetValue(key, out var totals))
                {
                    totals = new RunningTotals.ModelTotals(start.Provider, model);
                    models.Add(key, totals);
                }

                (start.IsStreaming ? totals.Streaming : totals.NonStreaming).Add(request.ReadFigures(now), isError: false, start.IsStreaming);
            }
        }

        ScanForStalls();
        var (stalled, recovered) = StallCounts;
        IReadOnlyDictionary<string, BreakdownTotals> byClient, byKey;
        AuthFailureTotals authFailures;
        lock (_finalizeLock)
        {
            byClient = _byClient.Snapshot();
            byKey = _byKey.Snapshot();
            authFailures = new AuthFailureTotals(_authFailures.Values.Sum(), new SortedDictionary<string, long>(_authFailures, StringComparer.Ordinal));
        }

        return RunningTotals.BuildSnapshot(models, includeActive, activeMatching, EpochSeconds()) with
        {
            Since = StartTime,
            StalledRequests = stalled,
            StalledRecovered = recovered,
            ByClient = byClient,
            ByKey = byKey,
            AuthFailures = authFailures,
        };
    }

    /// <summary>Recently finished requests (successes and failures), newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<RequestLogEntry> GetRecentRequests(int limit = int.MaxValue)
    {
        lock (_finalizeLock)
        {
            return _recentRequests.ToArrayNewestFirst(limit);
        }
    }

    /// <summary>Recently failed requests, newest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<RequestLogEntry> GetRecentErrors(int limit = int.MaxValue)
    {
        lock (_finalizeLock)
        {
            return _recentErrors.ToArrayNewestFirst(limit);
        }
    }

    /// <summary>Completes when <see cref="Version"/> is greater than <paramref name="knownVersion"/>; returns the new version.</summary>
    public async ValueTask<long> WaitForChangeAsync(long knownVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = Version;
            if (current > knownVersion)
            {
                return current;
            }

            var signal = Volatile.Read(ref _changed);
            if (signal is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref _changed, fresh, null) ?? fresh;
            }

            // Re-check after publishing the signal: a change that landed before it was installed
            // would otherwise go unnoticed (the notifier saw no waiter).
            current = Version;
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

        // The increment is a full fence, so this read cannot move before it; a waiter installs its
        // signal before re-reading the version, so one of the two always sees the other.
        if (Volatile.Read(ref _changed) is not null)
        {
            Interlocked.Exchange(ref _changed, null)?.TrySetResult();
        }
    }

    internal void OnFinalized(TrackedRequest request, in RequestFigures figures, int? statusCode, string? errorType, string? errorMessage)
    {
        var entry = request.ToLogEntry(figures, EpochSeconds(), statusCode, errorType, BoundedText.CapOrNull(errorMessage, Options.MaxErrorMessageLength));
        var start = request.Start;
        lock (_finalizeLock)
        {
            _active.TryRemove(request.RequestId, out _);
            _totals.Record(start.Provider, start.ResolvedModel, request.QualifiedModel, start.IsStreaming, figures, errorType is not null);
            _byClient.Add(entry.ClientName, figures, errorType is not null);
            _byKey.Add(start.KeyLabel ?? "none", figures, errorType is not null);
            _recentRequests.Add(entry);
            if (errorType is not null)
            {
                _recentErrors.Add(entry);
            }

            Interlocked.Decrement(ref _activeCount);
        }

        request.OnLogEntry(entry);
        NotifyChanged();
        foreach (var observer in _observers)
        {
            observer.OnFinished(request, entry);
        }
    }

    private double EpochSeconds() => TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>A fresh request id, for a caller that must show it before it starts tracking (set it as <see cref="RequestStart.RequestId"/>).</summary>
    public string NewRequestId() => NewRequestId(Interlocked.Increment(ref _sequence));

    // Formatted on the stack: the id is the only string this allocates.
    private string NewRequestId(long sequence)
        => string.Create(CultureInfo.InvariantCulture, stackalloc char[64], $"req_{TimeProvider.GetUtcNow().ToUnixTimeMilliseconds():x}{sequence:x4}");
}
