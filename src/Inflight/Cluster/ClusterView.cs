using System.Text.Json;
using Inflight.Tracking;
using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>
/// The reader's side of cluster mode: every other replica's active requests, their recent finished requests and
/// their totals, kept in memory from Redis so that no endpoint waits on Redis. It bootstraps by the one rule —
/// take the stream's last id, read the hashes, then read the stream from that id — and then follows the stream,
/// woken by pub/sub and polled as a fallback. A replica whose heartbeat key expired leaves the view: its requests
/// end <c>replica_lost</c>. While Redis cannot be read the view holds nothing remote and says it is partial.
/// </summary>
internal sealed partial class ClusterView : BackgroundService
{
    private const int BootstrapLogEntries = 1000;
    private const int ReadBatch = 500;

    /// <summary>
    /// Atomically claims a dead replica's hash: only the first reader gets its records (and counts them lost);
    /// the others get an empty answer. Nothing happens while the heartbeat key exists.
    /// </summary>
    private const string ClaimLostScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return {} end
        local records = redis.call('HVALS', KEYS[2])
        redis.call('DEL', KEYS[2])
        redis.call('SREM', KEYS[3], ARGV[1])
        if #records > 0 then redis.call('INCRBY', KEYS[4], #records) end
        return records
        """;

    private readonly ClusterConnection _connection;
    private readonly ClusterPublisher _publisher;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _recentCapacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RemoteReplica> _replicas = new(StringComparer.Ordinal);
    private readonly LinkedList<RequestLogEntry> _recent = new();
    private readonly LinkedList<RequestLogEntry> _recentErrors = new();
    private IReadOnlyList<RunningTotalsSnapshot> _otherTotals = [];
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource _wake = NewSignal();
    private RedisValue _lastId = "0-0";
    private bool _bootstrapped;
    private bool _logsLoaded;
    private bool _subscribed;
    private long _version;
    private long _lost;
    private long _lastLiveness;
    private long _lastTotalsRead;
    private string? _partialReason = "connecting to Redis";

    public ClusterView(ClusterConnection connection, ClusterPublisher publisher, RequestTracker tracker, TimeProvider time, ILogger<ClusterView> logger)
    {
        _connection = connection;
        _publisher = publisher;
        _options = connection.Options;
        _time = time;
        _logger = logger;
        _recentCapacity = Math.Max(tracker.Options.RecentRequestsCapacity, tracker.Options.RecentErrorsCapacity);
    }

    public bool Enabled => _options.Enabled;

    public string ReplicaId => _options.ReplicaId;

    /// <summary>Grows with every change to the remote part of the view.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>How often the view reads the stream without a pub/sub wake-up, and checks heartbeats.</summary>
    private TimeSpan PollInterval => _options.Heartbeat / 4 < TimeSpan.FromMilliseconds(500) ? _options.Heartbeat / 4 : TimeSpan.FromMilliseconds(500);

    public int RemoteActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _replicas.Values.Sum(r => r.Records.Count);
            }
        }
    }

    public ClusterStatus Status
    {
        get
        {
            var reason = Volatile.Read(ref _partialReason);
            return new ClusterStatus(reason is not null, reason, Interlocked.Read(ref _lost));
        }
    }

    public async ValueTask WaitForChangeAsync(long knownVersion, CancellationToken cancellationToken)
    {
        while (Version <= knownVersion)
        {
            var signal = Volatile.Read(ref _changed);
            if (Version > knownVersion)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Other replicas' active requests; durations and idle times keep ticking from when each record arrived.</summary>
    public List<ActiveRequestSnapshot> GetRemoteActive()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var list = new List<ActiveRequestSnapshot>(_replicas.Values.Sum(r => r.Records.Count));
            foreach (var replica in _replicas.Values)
            {
                foreach (var record in replica.Records.Values)
                {
                    list.Add(Ticked(replica, record, now));
                }
            }

            return list;
        }
    }

    /// <summary>
    /// Another replica's active request as its owner last published it (record, timeline, upstream status), the
    /// record ticked like <see cref="GetRemoteActive"/>'s; null when no other replica holds it.
    /// </summary>
    public ClusterChange? FindRemoteActive(string requestId)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            foreach (var replica in _replicas.Values)
            {
                if (replica.Records.TryGetValue(requestId, out var record))
                {
                    return record.Change with { Active = Ticked(replica, record, now) };
                }
            }

            return null;
        }
    }

    /// <summary>The record named for its replica, its duration and idle time ticking on from when it arrived.</summary>
    private ActiveRequestSnapshot Ticked(RemoteReplica replica, RemoteRecord record, long now)
    {
        var elapsed = _time.GetElapsedTime(record.ReceivedAt, now).TotalMilliseconds;
        return record.Snapshot with
        {
            Replica = replica.Id,
            DurationMs = record.Snapshot.DurationMs + elapsed,
            IdleMs = record.Snapshot.IdleMs + elapsed,
        };
    }

    /// <summary>This replica first, then the others by id.</summary>
    public IReadOnlyList<ReplicaSummary> GetReplicas(int localActive)
    {
        var list = new List<ReplicaSummary> { new(ReplicaId, EpochSeconds(_time.GetUtcNow()), localActive) };
        lock (_gate)
        {
            list.AddRange(_replicas.Values.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => new ReplicaSummary(r.Id, EpochSeconds(r.LastSeen), r.Records.Count)));
        }

        return list;
    }

    /// <summary>The replica that holds an active request, if another replica does.</summary>
    public string? FindOwner(string requestId)
    {
        lock (_gate)
        {
            return _replicas.Values.FirstOrDefault(r => r.Records.ContainsKey(requestId))?.Id;
        }
    }

    public RequestLogEntry? FindRecent(string requestId)
    {
        lock (_gate)
        {
            return _recent.FirstOrDefault(e => e.RequestId == requestId) ?? _recentErrors.FirstOrDefault(e => e.RequestId == requestId);
        }
    }

    /// <summary>Other replicas' finished requests, newest first.</summary>
    public IReadOnlyList<RequestLogEntry> GetRecent(bool errorsOnly)
    {
        lock (_gate)
        {
            return [.. errorsOnly ? _recentErrors : _recent];
        }
    }

    /// <summary>Every other replica's totals as last read (dead replicas' and lost requests' included).</summary>
    public IReadOnlyList<RunningTotalsSnapshot> GetOtherTotals() => Volatile.Read(ref _otherTotals);

    /// <summary>Sets the durable cancel flag on the owner (TTL) and wakes it; false when Redis is not usable.</summary>
    public async Task<bool> RequestCancelAsync(string owner, string requestId, string by, CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return false;
        }

        try
        {
            var db = (await _connection.GetAsync(cancellationToken)).GetDatabase();
            await ClusterPublisher.RequestCancelAsync(db, owner, requestId, by);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _connection.ReportFailure(ClusterConnection.Describe(ex));
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        var backoff = Backoff.Start;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var redis = await _connection.GetAsync(stoppingToken);
                if (!redis.IsConnected)
                {
                    throw new RedisUnavailableException(_connection.Problem ?? "not connected to Redis");
                }

                var db = redis.GetDatabase();
                if (!_subscribed)
                {
                    await redis.GetSubscriber().SubscribeAsync(ClusterKeys.Changed, (_, message) =>
                    {
                        if (message != ReplicaId)
                        {
                            _wake.TrySetResult();
                        }
                    });
                    _subscribed = true;
                }

                var wake = Volatile.Read(ref _wake);
                if (!_bootstrapped)
                {
                    await BootstrapAsync(db);
                }

                await ReadStreamAsync(db);
                if (_time.GetElapsedTime(_lastLiveness) >= PollInterval)
                {
                    await CheckLivenessAsync(db);
                }

                if (Interlocked.Exchange(ref _partialReason, null) is not null)
                {
                    Changed();
                }

                backoff = Backoff.Start;
                await Task.WhenAny(wake.Task, Task.Delay(PollInterval, _time, stoppingToken));
                Interlocked.CompareExchange(ref _wake, NewSignal(), wake);
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var reason = ClusterConnection.Describe(ex);
                GoPartial(reason);
                Log.ReadFailed(_logger, backoff.TotalMilliseconds, reason);
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = Backoff.Next(backoff);
            }
        }
    }

    /// <summary>Redis is not readable: drop what other replicas hold (it may be stale) and say why.</summary>
    private void GoPartial(string reason)
    {
        _connection.ReportFailure(reason);
        _bootstrapped = false;
        lock (_gate)
        {
            _replicas.Clear();
        }

        Volatile.Write(ref _otherTotals, []);
        Volatile.Write(ref _partialReason, "Redis unavailable: " + (reason.Length > 200 ? reason[..200] : reason));
        Changed();
    }

    /// <summary>Stream id first, hashes second, then the stream from that id: nothing falls in between.</summary>
    private async Task BootstrapAsync(IDatabase db)
    {
        var last = await db.StreamRangeAsync(ClusterKeys.Events, "-", "+", count: 1, messageOrder: Order.Descending);
        var from = last.Length > 0 ? last[0].Id : (RedisValue)"0-0";
        var members = (await db.SetMembersAsync(ClusterKeys.Replicas)).Select(m => m.ToString()).Where(m => m != ReplicaId).ToList();
        var alive = await Task.WhenAll(members.Select(m => db.StringGetAsync(ClusterKeys.Alive(m))));
        var hashes = await Task.WhenAll(members.Select(m => db.HashValuesAsync(ClusterKeys.Active(m))));
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            _replicas.Clear();
            for (var i = 0; i < members.Count; i++)
            {
                if (alive[i].IsNull)
                {
                    continue;
                }

                var replica = new RemoteReplica(members[i], (long)alive[i], _time.GetUtcNow());
                foreach (var value in hashes[i])
                {
                    if (Parse(value) is { Active: { } snapshot } change && change.Epoch == replica.Epoch)
                    {
                        replica.Records[change.RequestId] = new RemoteRecord(change, snapshot, now);
                    }
                }

                _replicas[replica.Id] = replica;
            }
        }

        _lastId = from;
        if (!_logsLoaded)
        {
            await LoadRecentLogsAsync(db, from);
            _logsLoaded = true;
        }

        _bootstrapped = true;
        _lastLiveness = 0;
        Changed();
    }

    /// <summary>On first start: the end events already in the stream fill the recent-requests log.</summary>
    private async Task LoadRecentLogsAsync(IDatabase db, RedisValue upTo)
    {
        if (upTo == "0-0")
        {
            return;
        }

        var entries = await db.StreamRangeAsync(ClusterKeys.Events, "-", upTo, count: BootstrapLogEntries, messageOrder: Order.Descending);
        lock (_gate)
        {
            for (var i = entries.Length - 1; i >= 0; i--)
            {
                if (Parse(entries[i]["c"]) is { Type: ClusterChange.EndType, Final: { } final } change && change.Replica != ReplicaId)
                {
                    AddFinished(Finished(change, final));
                }
            }
        }
    }

    private async Task ReadStreamAsync(IDatabase db)
    {
        while (true)
        {
            var entries = await db.StreamRangeAsync(ClusterKeys.Events, _lastId, "+", count: ReadBatch);
            var applied = 0;
            var now = _time.GetTimestamp();
            lock (_gate)
            {
                foreach (var entry in entries)
                {
                    if (entry.Id == _lastId)
                    {
                        continue;
                    }

                    _lastId = entry.Id;
                    if (Parse(entry["c"]) is { } change && change.Replica != ReplicaId)
                    {
                        Apply(change, now);
                        applied++;
                    }
                }
            }

            if (applied > 0)
            {
                Changed();
            }

            if (entries.Length < ReadBatch)
            {
                return;
            }
        }
    }

    private void Apply(ClusterChange change, long now)
    {
        if (!_replicas.TryGetValue(change.Replica, out var replica))
        {
            replica = new RemoteReplica(change.Replica, change.Epoch, _time.GetUtcNow());
            _replicas[change.Replica] = replica;
        }

        if (change.Epoch < replica.Epoch)
        {
            return;
        }

        if (change.Epoch > replica.Epoch)
        {
            // Restarted under the same id before its heartbeat expired: what the old process held is gone.
            MarkLost(replica);
            replica.Epoch = change.Epoch;
        }

        replica.LastSeen = _time.GetUtcNow();
        if (change.Type == ClusterChange.EndType)
        {
            replica.Records.Remove(change.RequestId);
            if (change.Final is { } final)
            {
                AddFinished(Finished(change, final));
            }

            return;
        }

        if (change.Active is { } snapshot && (!replica.Records.TryGetValue(change.RequestId, out var held) || held.Change.Seq < change.Seq))
        {
            replica.Records[change.RequestId] = new RemoteRecord(change, snapshot, now);
        }
    }

    /// <summary>The end's log entry named for its replica, with the detail the log entry's JSON leaves out.</summary>
    private static RequestLogEntry Finished(ClusterChange change, RequestLogEntry final)
        => final with { Replica = change.Replica, Timeline = change.Timeline, UpstreamStatus = change.UpstreamStatus };

    /// <summary>Heartbeats, membership and totals: a replica whose heartbeat key expired leaves the view.</summary>
    private async Task CheckLivenessAsync(IDatabase db)
    {
        _lastLiveness = _time.GetTimestamp();
        var members = (await db.SetMembersAsync(ClusterKeys.Replicas)).Select(m => m.ToString()).Where(m => m != ReplicaId).ToHashSet(StringComparer.Ordinal);
        List<string> known;
        lock (_gate)
        {
            known = [.. _replicas.Keys];
        }

        members.UnionWith(known);
        var ids = members.ToList();
        var alive = await Task.WhenAll(ids.Select(m => db.StringGetAsync(ClusterKeys.Alive(m))));
        var dead = new List<string>();
        var membershipChanged = false;
        lock (_gate)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                if (alive[i].IsNull)
                {
                    dead.Add(ids[i]);
                    if (_replicas.Remove(ids[i], out var gone))
                    {
                        membershipChanged = true;
                        MarkLost(gone);
                        Log.ReplicaLost(_logger, gone.Id, gone.Records.Count);
                    }
                }
                else if (_replicas.TryGetValue(ids[i], out var replica))
                {
                    replica.LastSeen = _time.GetUtcNow();
                }
                else
                {
                    membershipChanged = true;
                    _replicas[ids[i]] = new RemoteReplica(ids[i], (long)alive[i], _time.GetUtcNow());
                }
            }
        }

        foreach (var id in dead)
        {
            await ClaimLostAsync(db, id);
        }

        if (_lastTotalsRead != 0 && _time.GetElapsedTime(_lastTotalsRead) < _options.Heartbeat / 2)
        {
            if (membershipChanged)
            {
                Changed();
            }

            return;
        }

        // Every boot of every replica leaves one field here, so it is read at most twice a beat, not every poll.
        _lastTotalsRead = _time.GetTimestamp();
        var totals = await db.HashGetAllAsync(ClusterKeys.Totals);
        var others = new List<RunningTotalsSnapshot>(totals.Length);
        foreach (var field in totals)
        {
            if (field.Name != _publisher.TotalsField
                && JsonSerializer.Deserialize((string)field.Value!, ClusterJsonContext.Default.RunningTotalsSnapshot) is { } snapshot)
            {
                others.Add(snapshot);
            }
        }

        Volatile.Write(ref _otherTotals, others);
        var lost = await db.StringGetAsync(ClusterKeys.Lost);
        if (Interlocked.Exchange(ref _lost, lost.IsNull ? 0 : (long)lost) != (lost.IsNull ? 0 : (long)lost) || membershipChanged)
        {
            Changed();
        }
    }

    /// <summary>The first reader to claim a dead replica's hash records its requests' figures as lost totals (errors).</summary>
    private async Task ClaimLostAsync(IDatabase db, string replica)
    {
        var result = await db.ScriptEvaluateAsync(
            ClaimLostScript,
            [ClusterKeys.Alive(replica), ClusterKeys.Active(replica), ClusterKeys.Replicas, ClusterKeys.Lost],
            [replica]);
        var records = ((RedisResult[]?)result ?? []).Select(r => Parse((RedisValue)r)?.Active).OfType<ActiveRequestSnapshot>().ToList();
        if (records.Count == 0)
        {
            return;
        }

        var totals = ClusterTotals.FromRequests(records, isError: true, EpochSeconds(_time.GetUtcNow()));
        var field = "lost#" + replica + "#" + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await db.HashSetAsync(ClusterKeys.Totals, field, JsonSerializer.Serialize(totals, ClusterJsonContext.Default.RunningTotalsSnapshot));
    }

    /// <summary>Every request the replica held ends <c>replica_lost</c> in this view.</summary>
    private void MarkLost(RemoteReplica replica)
    {
        var end = EpochSeconds(_time.GetUtcNow());
        var now = _time.GetTimestamp();
        foreach (var record in replica.Records.Values)
        {
            var s = record.Snapshot;
            AddFinished(new RequestLogEntry
            {
                RequestId = s.RequestId,
                Provider = s.Provider,
                Model = s.Model,
                RequestedModel = s.RequestedModel,
                QualifiedModel = s.QualifiedModel,
                IsStreaming = s.IsStreaming,
                Status = RequestStatus.Error,
                ErrorType = ErrorTypes.ReplicaLost,
                ErrorMessage = $"Replica '{replica.Id}' stopped sending heartbeats before the request finished.",
                StartTime = s.StartTime,
                EndTime = end,
                DurationMs = s.DurationMs + _time.GetElapsedTime(record.ReceivedAt, now).TotalMilliseconds,
                TtftMs = s.TtftMs,
                InputTokens = s.InputTokens,
                OutputTokens = s.OutputTokens,
                CacheReadTokens = s.CacheReadTokens,
                CacheCreationTokens = s.CacheCreationTokens,
                TokensEstimated = s.TokensEstimated,
                ToolUses = s.ToolUses,
                ToolResults = s.ToolResults,
                ToolCalls = s.ToolCalls,
                RequestSize = s.RequestSize,
                MessageCount = s.MessageCount,
                ClientFormat = s.ClientFormat,
                UpstreamFormat = s.UpstreamFormat,
                ClientName = s.ClientName,
                ClientVersion = s.ClientVersion,
                SessionId = s.SessionId,
                UserId = s.UserId,
                KeyLabel = s.KeyLabel,
                Replica = replica.Id,
            });
        }

        replica.Records.Clear();
    }

    private void AddFinished(RequestLogEntry entry)
    {
        Push(_recent, entry);
        if (entry.Status == RequestStatus.Error)
        {
            Push(_recentErrors, entry);
        }
    }

    private void Push(LinkedList<RequestLogEntry> ring, RequestLogEntry entry)
    {
        ring.AddFirst(entry);
        if (ring.Count > _recentCapacity)
        {
            ring.RemoveLast();
        }
    }

    private void Changed()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
    }

    private static ClusterChange? Parse(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize((string)value!, ClusterJsonContext.Default.ClusterChange);
        }
        catch (JsonException)
        {
            // Not ours (another program's entry, a future version): skip it rather than stop the view.
            return null;
        }
    }

    private static double EpochSeconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class RemoteReplica(string id, long epoch, DateTimeOffset lastSeen)
    {
        public string Id { get; } = id;

        public long Epoch { get; set; } = epoch;

        public DateTimeOffset LastSeen { get; set; } = lastSeen;

        public Dictionary<string, RemoteRecord> Records { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The latest change of an active request (its detail included), its record and when it arrived here.</summary>
    private sealed record RemoteRecord(ClusterChange Change, ActiveRequestSnapshot Snapshot, long ReceivedAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Reading the cluster view failed ({Reason}); serving this replica's requests only, retrying in {BackoffMs} ms", EventName = "ClusterReadFailed")]
        public static partial void ReadFailed(ILogger logger, double backoffMs, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Replica {Replica} stopped sending heartbeats; its {Requests} active requests end replica_lost", EventName = "ClusterReplicaLost")]
        public static partial void ReplicaLost(ILogger logger, string replica, int requests);
    }
}
