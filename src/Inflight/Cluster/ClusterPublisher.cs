using System.Text.Json;
using Inflight.Tracking;
using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>
/// The owner's side of cluster mode. A background loop fed by the tracker's change notifications keeps this
/// replica's active requests in its Redis hash, appends each change to the stream (start at once, progress at
/// most every <see cref="ProgressInterval"/> per request, end at once), refreshes the heartbeat key every beat,
/// writes its running totals and acts on cancel flags other replicas set. Nothing here runs on a client's
/// request path: when Redis is slow or down, the loop backs off and resynchronises when it is back.
/// </summary>
internal sealed partial class ClusterPublisher : BackgroundService
{
    /// <summary>Live token counts of one request reach Redis at most this often.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Changes closer together than this go out in one round (one round trip, one pub/sub wake-up).</summary>
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(5);

    private static readonly TimeSpan s_totalsInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>A dead replica's hash outlives its heartbeat long enough for the others to read what it lost.</summary>
    private static readonly TimeSpan s_activeHashTtl = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan s_cancelFlagTtl = TimeSpan.FromMinutes(1);

    private readonly RequestTracker _tracker;
    private readonly Metrics.ContentCapture _capture;
    private readonly FinishedRequests _finishedRequests;
    private readonly ClusterConnection _connection;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Published> _published = new(StringComparer.Ordinal);
    private readonly string _totalsField;
    private TaskCompletionSource _wake = NewSignal();
    private bool _resync = true;
    private bool _subscribed;
    private long _seq;
    private long _started;
    private long _finished;
    private long _lastBeat;
    private long _lastTotals;
    private bool _totalsDirty = true;

    public ClusterPublisher(RequestTracker tracker, FinishedRequests finished, Metrics.ContentCapture capture, ClusterConnection connection, TimeProvider time, ILogger<ClusterPublisher> logger)
    {
        _tracker = tracker;
        _capture = capture;
        _finishedRequests = finished;
        _connection = connection;
        _options = connection.Options;
        _time = time;
        _logger = logger;
        Epoch = time.GetUtcNow().ToUnixTimeMilliseconds();
        _totalsField = _options.ReplicaId + "#" + Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>When this replica booted, epoch milliseconds: tells a restarted replica's records from the old ones.</summary>
    public long Epoch { get; }

    /// <summary>The totals hash field this replica writes (the view reads its own totals from the tracker instead).</summary>
    public string TotalsField => _totalsField;

    /// <summary>Cancel flags are HSET with a TTL on the owner's hash; <paramref name="by"/> says who asked.</summary>
    public static async Task RequestCancelAsync(IDatabase db, string owner, string requestId, string by)
    {
        var key = ClusterKeys.Cancel(owner);
        await Task.WhenAll(
            db.HashSetAsync(key, requestId, by),
            db.KeyExpireAsync(key, s_cancelFlagTtl),
            db.PublishAsync(ClusterKeys.CancelRequested, owner));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var backoff = Backoff.Start;
        long version = -1;
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
                    await redis.GetSubscriber().SubscribeAsync(ClusterKeys.CancelRequested, (_, message) =>
                    {
                        if (message == _options.ReplicaId)
                        {
                            _wake.TrySetResult();
                        }
                    });
                    _subscribed = true;
                }

                if (_resync)
                {
                    // After a start or an outage: rebuild the hash from the tracker; the round below republishes every
                    // request. Membership and the heartbeat come first, so a reader bootstrapping in between reads the hash.
                    await Task.WhenAll(
                        db.KeyDeleteAsync(ClusterKeys.Active(_options.ReplicaId)),
                        db.SetAddAsync(ClusterKeys.Replicas, _options.ReplicaId),
                        db.StringSetAsync(ClusterKeys.Alive(_options.ReplicaId), Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture), _options.LivenessTtl));
                    _published.Clear();
                    _lastBeat = 0;
                    _resync = false;
                }
                else
                {
                    await WaitAsync(version, stoppingToken);
                }

                version = _tracker.Version;
                await PublishChangesAsync(db);
                if (_lastBeat == 0 || _time.GetElapsedTime(_lastBeat) >= _options.Heartbeat)
                {
                    await BeatAsync(db);
                }
                else if (_totalsDirty && _time.GetElapsedTime(_lastTotals) >= s_totalsInterval)
                {
                    await WriteTotalsAsync(db);
                }

                backoff = Backoff.Start;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var reason = ClusterConnection.Describe(ex);
                _connection.ReportFailure(reason);
                Log.PublishFailed(_logger, backoff.TotalMilliseconds, reason);
                _resync = true;
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = Backoff.Next(backoff);
            }
        }

        await LeaveAsync();
    }

    /// <summary>Waits for a tracker change, a due beat, a due progress round or a cancel wake-up.</summary>
    private async Task WaitAsync(long version, CancellationToken cancellationToken)
    {
        var untilBeat = _options.Heartbeat - _time.GetElapsedTime(_lastBeat);
        var delay = _published.Count > 0 && untilBeat > ProgressInterval ? ProgressInterval : untilBeat;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        var wake = Volatile.Read(ref _wake);
        var finished = _finishedRequests.Arrived;
        if (_finishedRequests.HasPending)
        {
            return;
        }

        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var change = _tracker.WaitForChangeAsync(version, waitCts.Token).AsTask();
        var timer = Task.Delay(delay, _time, waitCts.Token);
        var first = await Task.WhenAny(change, timer, wake.Task, finished);
        await waitCts.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == wake.Task)
        {
            Interlocked.CompareExchange(ref _wake, NewSignal(), wake);
            await CheckCancelsAsync((await _connection.GetAsync(cancellationToken)).GetDatabase());
        }
        else if (first == change || first == finished)
        {
            await Task.Delay(s_coalesce, _time, cancellationToken);
        }
    }

    /// <summary>
    /// Sends the end of every request that finished (even one too short to have been seen active), then diffs the
    /// tracker's active requests against what Redis holds. The hash is written before the stream entry, so a
    /// reader that takes the stream's last id, then reads the hashes, then reads the stream from that id, misses
    /// nothing.
    /// </summary>
    private async Task PublishChangesAsync(IDatabase db)
    {
        var pending = new List<Task>();
        var hash = ClusterKeys.Active(_options.ReplicaId);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        foreach (var final in _finishedRequests.Drain())
        {
            ended.Add(final.RequestId);
            _published.Remove(final.RequestId);
            _finished++;
            Emit(db, hash, pending, ClusterChange.EndType, final.RequestId, null, final);
            _totalsDirty = true;
        }

        var now = _time.GetTimestamp();
        foreach (var request in _tracker.GetActiveRequests())
        {
            if (ended.Contains(request.RequestId))
            {
                continue;
            }

            var figures = Figures.Of(request);
            if (!_published.TryGetValue(request.RequestId, out var published))
            {
                _started++;
                Emit(db, hash, pending, ClusterChange.StartType, request.RequestId, request, null);
                _published[request.RequestId] = new Published(figures, now);
            }
            else if (published.Figures != figures && _time.GetElapsedTime(published.SentAt) >= ProgressInterval)
            {
                Emit(db, hash, pending, ClusterChange.ProgressType, request.RequestId, request, null);
                _published[request.RequestId] = new Published(figures, now);
            }
        }

        if (pending.Count > 0)
        {
            pending.Add(db.PublishAsync(ClusterKeys.Changed, _options.ReplicaId));
            await Task.WhenAll(pending);
        }
    }

    private void Emit(IDatabase db, RedisKey hash, List<Task> pending, string type, string requestId, ActiveRequestSnapshot? active, RequestLogEntry? final)
    {
        // The detail endpoint's extras ride along: from the tracked request while active, from the log entry at the end.
        var tracked = final is null ? _tracker.FindActive(requestId) : null;
        var change = new ClusterChange
        {
            Timeline = final is not null ? final.Timeline : tracked?.BuildTimeline(),
            UpstreamStatus = final is not null ? final.UpstreamStatus : tracked?.UpstreamStatus,
            CancelledBy = tracked?.CancelledBy,
            ContentOnOwner = tracked is not null && _capture.Find(requestId) is not null,
            Type = type,
            Replica = _options.ReplicaId,
            Epoch = Epoch,
            Seq = ++_seq,
            RequestId = requestId,
            Active = active,
            Final = final,
            Started = _started,
            Finished = _finished,
        };
        var json = JsonSerializer.Serialize(change, ClusterJsonContext.Default.ClusterChange);

        // Commands on one connection run in the order sent: hash first, then the stream entry.
        pending.Add(type == ClusterChange.EndType ? db.HashDeleteAsync(hash, requestId) : db.HashSetAsync(hash, requestId, json));
        pending.Add(db.StreamAddAsync(ClusterKeys.Events, "c", json, maxLength: ClusterKeys.StreamMaxLength, useApproximateMaxLength: true));
    }

    /// <summary>Every beat: the heartbeat key (TTL three beats), membership, the hash's TTL, totals and cancel flags.</summary>
    private async Task BeatAsync(IDatabase db)
    {
        _lastBeat = _time.GetTimestamp();
        var epoch = Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Task.WhenAll(
            db.StringSetAsync(ClusterKeys.Alive(_options.ReplicaId), epoch, _options.LivenessTtl),
            db.SetAddAsync(ClusterKeys.Replicas, _options.ReplicaId),
            db.KeyExpireAsync(ClusterKeys.Active(_options.ReplicaId), s_activeHashTtl));
        await WriteTotalsAsync(db);
        await CheckCancelsAsync(db);
    }

    private async Task WriteTotalsAsync(IDatabase db)
    {
        _lastTotals = _time.GetTimestamp();
        _totalsDirty = false;
        var totals = _tracker.GetRunningTotals();
        await db.HashSetAsync(ClusterKeys.Totals, _totalsField, JsonSerializer.Serialize(totals, ClusterJsonContext.Default.RunningTotalsSnapshot));
    }

    /// <summary>Cancels what other replicas flagged; the request's end event is the acknowledgement.</summary>
    private async Task CheckCancelsAsync(IDatabase db)
    {
        var key = ClusterKeys.Cancel(_options.ReplicaId);
        var flags = await db.HashGetAllAsync(key);
        foreach (var flag in flags)
        {
            string requestId = flag.Name!;
            await db.HashDeleteAsync(key, flag.Name);
            if (_tracker.FindActive(requestId) is null)
            {
                continue;
            }

            Log.CancelFlagged(_logger, requestId, flag.Value.ToString());
            _ = CancelLocallyAsync(requestId, flag.Value.ToString());
        }
    }

    private async Task CancelLocallyAsync(string requestId, string by)
    {
        try
        {
            await _tracker.CancelAsync(requestId, by, TimeSpan.FromSeconds(5));
        }
        catch (Exception ex)
        {
            Log.CancelFailed(_logger, requestId, ex);
        }
    }

    /// <summary>A clean stop: the last ends and totals, then this replica leaves (no one counts its requests lost).</summary>
    private async Task LeaveAsync()
    {
        if (!_connection.IsConnected)
        {
            return;
        }

        try
        {
            var db = (await _connection.GetAsync(CancellationToken.None)).GetDatabase();
            await PublishChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(2), _time);
            await WriteTotalsAsync(db).WaitAsync(TimeSpan.FromSeconds(2), _time);
            if (_published.Count == 0)
            {
                await Task.WhenAll(
                    db.KeyDeleteAsync(ClusterKeys.Alive(_options.ReplicaId)),
                    db.KeyDeleteAsync(ClusterKeys.Active(_options.ReplicaId)),
                    db.SetRemoveAsync(ClusterKeys.Replicas, _options.ReplicaId)).WaitAsync(TimeSpan.FromSeconds(2), _time);
            }
        }
        catch (Exception ex)
        {
            Log.LeaveFailed(_logger, ClusterConnection.Describe(ex));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a progress event would change; durations tick on their own and are not a reason to publish.</summary>
    private readonly record struct Figures(string Phase, long Input, long Output, long CacheRead, long CacheCreation, double? Ttft, int Tools, bool Estimated)
    {
        public static Figures Of(ActiveRequestSnapshot s)
            => new(s.Phase, s.InputTokens, s.OutputTokens, s.CacheReadTokens, s.CacheCreationTokens, s.TtftMs, s.ToolUses + s.ToolResults + s.ToolCalls, s.TokensEstimated);
    }

    private readonly record struct Published(Figures Figures, long SentAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Cluster publishing failed ({Reason}); retrying in {BackoffMs} ms", EventName = "ClusterPublishFailed")]
        public static partial void PublishFailed(ILogger logger, double backoffMs, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Request {RequestId} cancelled through the cluster by {CancelledBy}", EventName = "ClusterCancel")]
        public static partial void CancelFlagged(ILogger logger, string requestId, string cancelledBy);

        [LoggerMessage(3, LogLevel.Error, "Cancelling request {RequestId} for another replica failed", EventName = "ClusterCancelFailed")]
        public static partial void CancelFailed(ILogger logger, string requestId, Exception exception);

        [LoggerMessage(4, LogLevel.Warning, "Leaving the cluster cleanly failed ({Reason}); the others will count this replica's requests lost", EventName = "ClusterLeaveFailed")]
        public static partial void LeaveFailed(ILogger logger, string reason);
    }
}
