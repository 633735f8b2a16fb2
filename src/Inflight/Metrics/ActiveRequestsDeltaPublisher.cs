using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// The one publisher behind <c>/metrics/active-requests/stream?mode=delta</c>. A background round works out what
/// changed once for every watcher: only requests whose <see cref="TrackedRequest.ChangeCount"/> moved are read and
/// serialized, each is diffed on its JSON bytes against what the watchers have (<see cref="DeltaRecordDiff"/>),
/// and the round's events (<c>request-start</c>, <c>request-update</c>, <c>request-end</c>, ids from one counter)
/// are encoded to UTF-8 once into a bounded ring (<see cref="DeltaFrameRing"/>) that every stream reads from its
/// own cursor. A stream that falls out of the ring gets a fresh <c>snapshot</c> instead of a backlog.
/// </summary>
/// <remarks>
/// <para>Timing: a start or an end wakes a round within <see cref="MembershipWindow"/>; progress (tokens, phase,
/// tool calls) is coalesced per request over <see cref="ProgressWindow"/> (widened for expensive rounds); the
/// clock-only fields (<c>duration_ms</c>, <c>idle_ms</c>, <c>tokens_per_second</c>) move only on clock rounds, once
/// per <c>VDM_ACTIVE_REQUESTS_SSE_INTERVAL</c> for each request. The clock rounds are spread over the interval in
/// slices of about <see cref="ClockSlicePeriod"/>, each ticking its share of the requests, so no round carries a tick
/// for every active request: with a thousand active, one burst of a thousand updates per watcher would hold up the
/// next start behind it in every watcher's socket. Clock rounds also look for stalls.</para>
/// <para>The records kept here are exactly what the watchers were sent, so a snapshot built from them plus the
/// deltas after it always agree. With nobody watching it keeps nothing and does no work.</para>
/// </remarks>
internal sealed partial class ActiveRequestsDeltaPublisher : BackgroundService
{
    /// <summary>Starts and ends closer together than this share a round.</summary>
    public static readonly TimeSpan MembershipWindow = TimeSpan.FromMilliseconds(5);

    /// <summary>Progress closer together than this shares a round (one update per request per round).</summary>
    public static readonly TimeSpan ProgressWindow = TimeSpan.FromMilliseconds(20);

    public static readonly TimeSpan MaxProgressWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>Recent rounds kept for streams that are behind; past either bound a stream gets a snapshot.</summary>
    public const int DefaultRingRounds = 1024;

    public const long DefaultRingBytes = 8L << 20;

    /// <summary>About how often a clock round ticks its slice of the requests (the interval is split into such slices).</summary>
    public static readonly TimeSpan ClockSlicePeriod = TimeSpan.FromMilliseconds(100);

    private const int MaxClockSlices = 64;

    /// <summary>A change round: no clock ticks.</summary>
    private const int NoClock = -1;

    /// <summary>Every request's clock ticks (the first watcher's catch-up, and tests).</summary>
    private const int EveryClockSlot = -2;

    /// <summary>A snapshot is shared by the streams that connect within this long of each other (and no round).</summary>
    private static readonly TimeSpan s_snapshotReuse = TimeSpan.FromSeconds(1);

    private const int WindowPerRoundCost = 10;

    private readonly ActiveView _view;
    private readonly ActiveRequestsMembership _membership;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly DeltaFrameRing _ring;
    private readonly int _clockSlices;
    private readonly TimeSpan _clockSlicePeriod;

    // Everything below is guarded by _gate: rounds, subscribes and snapshots run one at a time.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SentRecord> _sent = new(StringComparer.Ordinal);
    private readonly List<TrackedRequest> _handles = [];
    private readonly HashSet<string> _remoteSeen = new(StringComparer.Ordinal);
    private readonly List<string> _gone = [];
    private readonly DeltaRecordDiff _diff = new();
    private readonly ArrayBufferWriter<byte> _events = new(16 * 1024);
    private readonly ArrayBufferWriter<byte> _record = new(1024);
    private readonly Utf8JsonWriter _recordWriter;
    private int _subscribers;
    private long _eventId;
    private long _recordsAdded;
    private int _nextClockSlot;
    private CachedSnapshot? _snapshot;

    // Read by the waiting loop outside the gate.
    private TaskCompletionSource _subscriberArrived = NewSignal();
    private long _roundVersion = -1;
    private long _clusterVersion = -1;
    private long _lastRoundAt;
    private long _lastClockSliceAt;
    private long _lastRoundTicks;
    private int _watched;
    private long _roundsPublished;

    public ActiveRequestsDeltaPublisher(ActiveView view, ActiveRequestsMembership membership, TimeProvider timeProvider, IOptions<MetricsOptions> options, ILogger<ActiveRequestsDeltaPublisher> logger)
        : this(view, membership, timeProvider, options.Value.SseInterval, DefaultRingRounds, DefaultRingBytes, logger)
    {
    }

    /// <summary>For tests: the tracker inside <paramref name="view"/> must have <paramref name="membership"/> among its observers.</summary>
    internal ActiveRequestsDeltaPublisher(ActiveView view, ActiveRequestsMembership membership, TimeProvider timeProvider, TimeSpan interval, int ringRounds, long ringBytes, ILogger logger)
    {
        _view = view;
        _membership = membership;
        _time = timeProvider;
        _interval = interval;
        _logger = logger;
        _ring = new DeltaFrameRing(ringRounds, ringBytes);
        _clockSlices = (int)Math.Clamp(interval.Ticks / ClockSlicePeriod.Ticks, 1, MaxClockSlices);
        _clockSlicePeriod = interval / _clockSlices;
        _recordWriter = new Utf8JsonWriter(_record);
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers);

    /// <summary>Rounds that had something to send, since start (each encoded once for every stream).</summary>
    public long RoundsPublished => Interlocked.Read(ref _roundsPublished);

    /// <summary>
    /// Registers a stream. Its <see cref="ActiveRequestsDeltaSubscription.Snapshot"/> is the state every later round
    /// is a delta of. The first watcher makes the publisher read the whole active list once.
    /// </summary>
    public ActiveRequestsDeltaSubscription Subscribe()
    {
        ActiveRequestsDeltaSubscription subscription;
        int count;
        lock (_gate)
        {
            if (_subscribers == 0)
            {
                // Enabled before the active list is read: every request that ends after this is either read or queued.
                _membership.Enable();
                RunRound(EveryClockSlot, publish: false);
            }

            count = ++_subscribers;
            var snapshot = GetSnapshot();
            subscription = new ActiveRequestsDeltaSubscription(this, snapshot.Frame, snapshot.Cursor);
        }

        Interlocked.Exchange(ref _subscriberArrived, NewSignal()).TrySetResult();
        Log.SubscriberAdded(_logger, count);
        return subscription;
    }

    internal void Unsubscribe(ActiveRequestsDeltaSubscription subscription)
    {
        int count;
        lock (_gate)
        {
            count = --_subscribers;
            if (count == 0)
            {
                // Nobody watches: keep nothing, so an idle gateway holds no copy of its active list.
                _membership.Disable();
                _sent.Clear();
                _ring.Reset();
                _snapshot = null;
                Volatile.Write(ref _watched, 0);
            }
        }

        Log.SubscriberRemoved(_logger, subscription.Resyncs, count);
    }

    internal Task WaitAsync(ActiveRequestsDeltaSubscription subscription, CancellationToken cancellationToken)
        => _ring.WaitAsync(subscription.Cursor, cancellationToken);

    internal void Read(ActiveRequestsDeltaSubscription subscription, List<byte[]> into)
    {
        var cursor = subscription.Cursor;
        if (_ring.TryRead(ref cursor, into))
        {
            subscription.Cursor = cursor;
            return;
        }

        // Fell out of the ring: the rounds it missed are gone, the state they built is not.
        lock (_gate)
        {
            var snapshot = GetSnapshot();
            into.Add(snapshot.Frame);
            subscription.Cursor = snapshot.Cursor;
        }

        subscription.Resyncs++;
        Log.SubscriberBehind(_logger, subscription.Resyncs);
    }

    /// <summary>
    /// Runs one round now: a change round, or with <paramref name="includeClock"/> one that also ticks every
    /// request's clock. The background loop decides when, and ticks the clock slice by slice; tests call this.
    /// </summary>
    internal void PublishRound(bool includeClock) => Publish(includeClock ? EveryClockSlot : NoClock);

    private void Publish(int clockSlot)
    {
        lock (_gate)
        {
            if (_subscribers > 0)
            {
                RunRound(clockSlot, publish: true);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitForSubscriberAsync(stoppingToken);
                if (await WaitForRoundAsync(stoppingToken))
                {
                    Publish(_nextClockSlot);
                    _nextClockSlot = (_nextClockSlot + 1) % _clockSlices;
                }
                else
                {
                    Publish(NoClock);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A round that failed half-way may have sent only part of its events: every stream starts again
                // from a snapshot of what the publisher holds, and rounds resume after one interval.
                Log.PublishFailed(_logger, ex);
                lock (_gate)
                {
                    _ring.Reset();
                    _snapshot = null;
                }

                await Task.Delay(_interval, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task WaitForSubscriberAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _subscriberArrived);
            if (SubscriberCount > 0)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Returns when a round is due: true for a clock round (the next slice's clocks tick too), false for a change round.</summary>
    private async Task<bool> WaitForRoundAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var watching = Volatile.Read(ref _watched) > 0 || _view.ActiveCount > 0;
            var untilClock = _clockSlicePeriod - _time.GetElapsedTime(Volatile.Read(ref _lastClockSliceAt));
            if (watching && untilClock <= TimeSpan.Zero)
            {
                return true;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var membership = _membership.IsPending;
            var roundVersion = Volatile.Read(ref _roundVersion);
            if (!membership && _view.Version == roundVersion)
            {
                // Nothing new: wait for a change, or the next clock slice while requests are watched.
                Task change = _view.WaitForChangeAsync(roundVersion, wait.Token).AsTask();
                await (watching ? Task.WhenAny(change, Task.Delay(untilClock, _time, wait.Token)) : change);
            }
            else
            {
                // Leading edge: a change after a quiet spell goes at once; one right after a round waits out the window.
                var window = membership ? MembershipWindow : ProgressWindowNow;
                var sinceRound = _time.GetElapsedTime(Volatile.Read(ref _lastRoundAt));
                if (sinceRound >= window)
                {
                    return false;
                }

                // A start or an end during a progress window shortens it to the membership window.
                var windowEnd = Task.Delay(window - sinceRound, _time, wait.Token);
                await (membership ? windowEnd : Task.WhenAny(windowEnd, _membership.WaitAsync(wait.Token)));
            }

            await wait.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The progress window: the minimum, widened to ten times the last change round's cost, within the cap.</summary>
    private TimeSpan ProgressWindowNow
    {
        get
        {
            var scaled = TimeSpan.FromTicks(Interlocked.Read(ref _lastRoundTicks) * WindowPerRoundCost);
            return scaled <= ProgressWindow ? ProgressWindow : (scaled >= MaxProgressWindow ? MaxProgressWindow : scaled);
        }
    }

    /// <summary>
    /// One round, under the gate. <paramref name="clockSlot"/> says whose clocks tick: nobody's
    /// (<see cref="NoClock"/>), one slice's, or everybody's. With <paramref name="publish"/> off (the first watcher's
    /// catch-up) it only brings the records up to date: the snapshot that follows carries them.
    /// </summary>
    private void RunRound(int clockSlot, bool publish)
    {
        var started = _time.GetTimestamp();

        // Both read before the tracker: a change racing with this round leaves them behind, so the next round comes.
        _membership.TakePending();
        Volatile.Write(ref _roundVersion, _view.Version);
        _events.ResetWrittenCount();
        var tracker = _view.Tracker;
        var cluster = _view.Cluster;
        if (clockSlot != NoClock)
        {
            tracker.ScanForStalls();
        }

        var now = _time.GetTimestamp();
        _handles.Clear();
        tracker.CopyActive(_handles);
        foreach (var request in _handles)
        {
            // A finished request is handled with its end (queued by the membership observer).
            if (request.IsFinalized)
            {
                continue;
            }

            // Read before the snapshot: the snapshot then holds at least every change this count includes.
            var changes = request.ChangeCount;
            if (!_sent.TryGetValue(request.RequestId, out var sent))
            {
                var record = SerializeLocal(request, now, cluster).ToArray();
                _sent.Add(request.RequestId, new SentRecord(record, changes, request.StartEpochSeconds, request.Sequence, isLocal: true, NextClockSlot()));
                Emit(publish, "event: request-start\nid: "u8, record);
            }
            else if (Ticks(clockSlot, sent) || sent.Changes != changes)
            {
                sent.Changes = changes;
                Update(sent, SerializeLocal(request, now, cluster), Ticks(clockSlot, sent), publish);
            }
        }

        // Not kept past the round: a finished request's handle should not outlive it here.
        _handles.Clear();
        while (_membership.TryTakeFinished(out var finished, out var entry))
        {
            if (!_sent.Remove(finished.RequestId) && publish)
            {
                // Started and finished since the last round: it still gets its start, then its end.
                Emit(publish, "event: request-start\nid: "u8, SerializeLocal(finished, now, cluster));
            }

            if (publish)
            {
                Emit(publish, "event: request-end\nid: "u8, Serialize(cluster is null ? entry : entry with { Replica = cluster.ReplicaId }));
            }
        }

        if (cluster is not null)
        {
            RunRemoteRound(cluster, clockSlot, publish);
        }

        if (publish && _events.WrittenCount > 0)
        {
            _ring.Append(_events.WrittenSpan.ToArray());
            Interlocked.Increment(ref _roundsPublished);
        }

        _snapshot = null;
        Volatile.Write(ref _watched, _sent.Count);
        Volatile.Write(ref _lastRoundAt, now);
        if (clockSlot != NoClock)
        {
            Volatile.Write(ref _lastClockSliceAt, now);
        }
        else
        {
            Interlocked.Exchange(ref _lastRoundTicks, _time.GetElapsedTime(started).Ticks);
        }
    }

    /// <summary>Other replicas' requests (cluster mode): read again when the cluster view changed, or on a clock round.</summary>
    private void RunRemoteRound(ClusterView cluster, int clockSlot, bool publish)
    {
        var version = cluster.Version;
        if (clockSlot == NoClock && version == _clusterVersion)
        {
            return;
        }

        _clusterVersion = version;
        _remoteSeen.Clear();
        foreach (var remote in cluster.GetRemoteActive())
        {
            _remoteSeen.Add(remote.RequestId);
            if (!_sent.TryGetValue(remote.RequestId, out var sent))
            {
                var record = Serialize(remote).ToArray();
                _sent.Add(remote.RequestId, new SentRecord(record, 0, remote.StartTime, 0, isLocal: false, NextClockSlot()));
                Emit(publish, "event: request-start\nid: "u8, record);
            }
            else if (!sent.IsLocal)
            {
                Update(sent, Serialize(remote), Ticks(clockSlot, sent), publish);
            }
        }

        _gone.Clear();
        foreach (var (id, sent) in _sent)
        {
            if (!sent.IsLocal && !_remoteSeen.Contains(id))
            {
                _gone.Add(id);
            }
        }

        foreach (var id in _gone)
        {
            _sent.Remove(id);
            if (publish)
            {
                Emit(publish, "event: request-end\nid: "u8, cluster.FindRecent(id) is { } entry ? Serialize(entry) : SerializeUnknownEnd(id));
            }
        }
    }

    private static bool Ticks(int clockSlot, SentRecord sent) => clockSlot == EveryClockSlot || clockSlot == sent.ClockSlot;

    /// <summary>Records take the slices in turn, so each slice ticks about as many requests.</summary>
    private int NextClockSlot() => (int)(_recordsAdded++ % _clockSlices);

    private void Update(SentRecord sent, ReadOnlySpan<byte> current, bool includeClock, bool publish)
    {
        if (_diff.Compare(sent.Json, current, includeClock) is not { } view)
        {
            return;
        }

        sent.Json = view;
        Emit(publish, "event: request-update\nid: "u8, _diff.Update);
    }

    /// <summary>Appends one event to the round: its prefix (<c>event: …\nid: </c>), the next id, the data line.</summary>
    private void Emit(bool publish, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> data)
    {
        if (!publish)
        {
            return;
        }

        _events.Write(prefix);
        var id = ++_eventId;
        id.TryFormat(_events.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        _events.Advance(written);
        _events.Write("\ndata: "u8);

        // System.Text.Json writes unindented JSON and escapes control characters, so the data is one line.
        _events.Write(data);
        _events.Write("\n\n"u8);
    }

    private ReadOnlySpan<byte> SerializeLocal(TrackedRequest request, long now, ClusterView? cluster)
    {
        var snapshot = request.ToSnapshot(now);
        return Serialize(cluster is null ? snapshot : snapshot with { Replica = cluster.ReplicaId });
    }

    private ReadOnlySpan<byte> Serialize(ActiveRequestSnapshot snapshot)
    {
        _record.ResetWrittenCount();
        _recordWriter.Reset();
        JsonSerializer.Serialize(_recordWriter, snapshot, MetricsJsonContext.Default.ActiveRequestSnapshot);
        return _record.WrittenSpan;
    }

    private ReadOnlySpan<byte> Serialize(RequestLogEntry entry)
    {
        _record.ResetWrittenCount();
        _recordWriter.Reset();
        JsonSerializer.Serialize(_recordWriter, entry, MetricsJsonContext.Default.RequestLogEntry);
        return _record.WrittenSpan;
    }

    /// <summary>Another replica's request that left the view without a finished entry (yet): its id and <c>status: unknown</c>.</summary>
    private ReadOnlySpan<byte> SerializeUnknownEnd(string requestId)
    {
        _record.ResetWrittenCount();
        _recordWriter.Reset();
        _recordWriter.WriteStartObject();
        _recordWriter.WriteString("request_id"u8, requestId);
        _recordWriter.WriteString("status"u8, "unknown"u8);
        _recordWriter.WriteEndObject();
        _recordWriter.Flush();
        return _record.WrittenSpan;
    }

    /// <summary>
    /// The <c>snapshot</c> event of what the watchers have now (under the gate), and the ring round it includes.
    /// Its id is newer than every event sent before it; streams connecting close together share it.
    /// </summary>
    private CachedSnapshot GetSnapshot()
    {
        var now = _time.GetTimestamp();
        if (_snapshot is { } cached && _time.GetElapsedTime(cached.BuiltAt, now) < s_snapshotReuse)
        {
            return cached;
        }

        var records = new List<SentRecord>(_sent.Values);

        // Newest first, as the snapshot endpoint lists them.
        records.Sort(static (a, b) => a.StartTime != b.StartTime ? b.StartTime.CompareTo(a.StartTime) : b.Sequence.CompareTo(a.Sequence));
        var buffer = new ArrayBufferWriter<byte>(256 + records.Sum(r => r.Json.Length + 1));
        buffer.Write("event: snapshot\nid: "u8);
        var id = ++_eventId;
        id.TryFormat(buffer.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        buffer.Advance(written);
        buffer.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("active_requests"u8);
            foreach (var record in records)
            {
                json.WriteRawValue(record.Json, skipInputValidation: true);
            }

            json.WriteEndArray();
            json.WriteNumber("timestamp"u8, _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            if (_view.Cluster is { } cluster)
            {
                json.WritePropertyName("cluster"u8);
                JsonSerializer.Serialize(json, cluster.Status, MetricsJsonContext.Default.ClusterStatus);
                json.WritePropertyName("replicas"u8);
                JsonSerializer.Serialize(json, cluster.GetReplicas(_view.Tracker.ActiveCount), MetricsJsonContext.Default.IReadOnlyListReplicaSummary);
            }

            json.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        var snapshot = new CachedSnapshot(buffer.WrittenSpan.ToArray(), _ring.Head, now);
        _snapshot = snapshot;
        return snapshot;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A request as the watchers have it: its record's JSON and the change count it was read at.</summary>
    private sealed class SentRecord(byte[] json, long changes, double startTime, long sequence, bool isLocal, int clockSlot)
    {
        public byte[] Json { get; set; } = json;

        public long Changes { get; set; } = changes;

        public double StartTime { get; } = startTime;

        /// <summary>The tracker's start order (local requests); orders requests that started in the same millisecond.</summary>
        public long Sequence { get; } = sequence;

        /// <summary>This replica's request (false: another replica's, in cluster mode).</summary>
        public bool IsLocal { get; } = isLocal;

        /// <summary>The clock slice whose round ticks this request.</summary>
        public int ClockSlot { get; } = clockSlot;
    }

    private sealed record CachedSnapshot(byte[] Frame, long Cursor, long BuiltAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Delta stream subscriber added; {SubscriberCount} connected", EventName = "DeltaSubscriberAdded")]
        public static partial void SubscriberAdded(ILogger logger, int subscriberCount);

        [LoggerMessage(2, LogLevel.Debug, "Delta stream subscriber left after {Resyncs} fresh snapshots; {SubscriberCount} connected", EventName = "DeltaSubscriberRemoved")]
        public static partial void SubscriberRemoved(ILogger logger, long resyncs, int subscriberCount);

        [LoggerMessage(3, LogLevel.Debug, "Delta stream subscriber fell behind the ring; sending a fresh snapshot ({Resyncs} so far)", EventName = "DeltaSubscriberBehind")]
        public static partial void SubscriberBehind(ILogger logger, long resyncs);

        [LoggerMessage(4, LogLevel.Error, "Publishing a delta round failed; every stream gets a fresh snapshot and rounds resume after one interval", EventName = "DeltaPublishFailed")]
        public static partial void PublishFailed(ILogger logger, Exception exception);
    }
}
