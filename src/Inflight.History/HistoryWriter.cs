using System.Threading.Channels;
using Inflight.Tracking;
using Microsoft.Extensions.Logging;

namespace Inflight.History;

/// <summary>
/// Writes finished requests to the store in batches, off the request path: <see cref="OnFinished"/> only
/// queues the log entry. The queue is bounded; while the store is slow or down the oldest entries are
/// dropped and counted (logged once per outage). Stopping flushes what is queued.
/// </summary>
/// <remarks>
/// Every entry gets a sequence number in this run (<see cref="InstanceId"/>), stored with its row. The writer
/// keeps the entries it has not committed yet (<see cref="ReadUnflushed"/>) and the highest sequence it has
/// committed, both under one lock, so a reader can count the store's rows up to that sequence plus the
/// unflushed entries after it: each request exactly once, whatever the writer does meanwhile.
/// </remarks>
public sealed partial class HistoryWriter : IRequestObserver
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IRequestStore _store;
    private readonly HistoryWriterOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;

    // Entries not yet committed (queued, in the batch being written, or dropped and not yet passed), oldest first.
    private readonly Queue<Pending> _unflushed = new();
    private readonly Lock _unflushedLock = new();
    private long _sequence;
    private long _committedSequence;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _writeLoop;
    private Task? _pruneLoop;
    private long _written;
    private long _dropped;
    private long _batches;
    private long _lastLagTicks;
    private long _maxLagTicks;
    private int _dropLogged;
    private string? _lastError;

    public HistoryWriter(IRequestStore store, HistoryWriterOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _store = store;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(
            new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
    }

    /// <summary>This run's id in the store's <c>instance_id</c> column.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Requests written to the store.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Requests dropped because the queue was full (store slow or down).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Batches written; <see cref="Written"/> ÷ this is the mean batch size.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>
    /// Lag of the last committed batch: from the end of its oldest request to the commit. What a reader of the
    /// store (the request log, <c>/metrics/history</c>) trails live traffic by, and roughly what a SIGKILL would lose.
    /// </summary>
    public TimeSpan LastLag => TimeSpan.FromTicks(Interlocked.Read(ref _lastLagTicks));

    /// <summary>The largest <see cref="LastLag"/> since start.</summary>
    public TimeSpan MaxLag => TimeSpan.FromTicks(Interlocked.Read(ref _maxLagTicks));

    /// <summary>Requests queued, not yet written.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>The last store error while it is failing; null once a write succeeds.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Set once migrations have run.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Queues the entry; the lock keeps sequence order and queue order the same (the watermark relies on it).</summary>
    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
    {
        lock (_unflushedLock)
        {
            var pending = new Pending(++_sequence, entry);
            if (!_queue.Writer.TryWrite(pending))
            {
                return;
            }

            _unflushed.Enqueue(pending);

            // Dropped entries leave the queue but stay here until the writer passes them; bound that while the store is down.
            if (_unflushed.Count > _options.QueueCapacity + _options.BatchSize)
            {
                _unflushed.Dequeue();
            }
        }
    }

    /// <summary>
    /// The highest sequence committed to the store and the entries after it that are not (yet) there, at one
    /// instant: the store's rows of this instance up to the sequence plus these are every request written or queued.
    /// </summary>
    public (long CommittedSequence, RequestLogEntry[] Unflushed) ReadUnflushed()
    {
        lock (_unflushedLock)
        {
            var entries = new RequestLogEntry[_unflushed.Count];
            var i = 0;
            foreach (var pending in _unflushed)
            {
                entries[i++] = pending.Entry;
            }

            return (_committedSequence, entries);
        }
    }
    /// <summary>Migrates the schema and starts writing and pruning in the background.</summary>
    public void Start()
    {
        _writeLoop = Task.Run(WriteLoopAsync);
        _pruneLoop = Task.Run(PruneLoopAsync);
    }

    /// <summary>
    /// Stops taking entries and writes what is queued; gives up (counting the rest as dropped) when
    /// <paramref name="cancellationToken"/> fires, e.g. at the host's shutdown timeout, or at once when
    /// the store is failing.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await using var registration = cancellationToken.Register(_stopping.Cancel).ConfigureAwait(false);

        // A store that is failing now will not come back within a shutdown: stop retrying at once
        // rather than hold the shutdown until its timeout.
        if (LastError is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        if (_writeLoop is not null)
        {
            await _writeLoop.ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_pruneLoop is not null)
        {
            await _pruneLoop.ConfigureAwait(false);
        }

        var left = _queue.Reader.Count;
        if (left > 0)
        {
            Interlocked.Add(ref _dropped, left);
        }
    }

    private async Task WriteLoopAsync()
    {
        if (!await RetryAsync(_store.MigrateAsync).ConfigureAwait(false))
        {
            return;
        }

        IsReady = true;
        var batch = new List<RequestLogEntry>(_options.BatchSize);
        var sequences = new List<long>(_options.BatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var pending))
                {
                    sequences.Add(pending.Sequence);
                    batch.Add(pending.Entry);
                }

                var origin = new BatchOrigin(InstanceId, sequences);
                var lastSequence = sequences[^1];
                if (!await RetryAsync(ct => _store.WriteAsync(batch, origin, ct)).ConfigureAwait(false))
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    return;
                }

                lock (_unflushedLock)
                {
                    _committedSequence = lastSequence;
                    while (_unflushed.TryPeek(out var oldest) && oldest.Sequence <= lastSequence)
                    {
                        _unflushed.Dequeue();
                    }
                }

                Interlocked.Add(ref _written, batch.Count);
                Interlocked.Increment(ref _batches);
                RecordLag(batch[0].EndTime);
                batch.Clear();
                sequences.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutdown timed out: what is left is counted as dropped by StopAsync.
        }
    }

    private void RecordLag(double oldestEndTime)
    {
        var lag = Math.Max(0, (_timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0) - oldestEndTime);
        var ticks = TimeSpan.FromSeconds(lag).Ticks;
        Interlocked.Exchange(ref _lastLagTicks, ticks);
        if (ticks > Interlocked.Read(ref _maxLagTicks))
        {
            Interlocked.Exchange(ref _maxLagTicks, ticks);
        }
    }

    private async Task PruneLoopAsync()
    {
        try
        {
            while (!IsReady)
            {
                await Task.Delay(FirstRetryDelay, _timeProvider, _stopping.Token).ConfigureAwait(false);
            }

            while (true)
            {
                var cutoff = _timeProvider.GetUtcNow() - TimeSpan.FromDays(_options.RetentionDays);
                try
                {
                    var pruned = await _store.PruneAsync(cutoff.ToUnixTimeMilliseconds() / 1000.0, _stopping.Token).ConfigureAwait(false);
                    if (pruned > 0)
                    {
                        LogPruned(_logger, pruned, _options.RetentionDays);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPruneFailed(_logger, ex.Message);
                }

                await Task.Delay(_options.PruneInterval, _timeProvider, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Runs <paramref name="operation"/> until it succeeds (true) or the writer is stopped for good (false).</summary>
    private async Task<bool> RetryAsync(Func<CancellationToken, Task> operation)
    {
        var delay = FirstRetryDelay;
        var failing = false;
        while (true)
        {
            try
            {
                await operation(_stopping.Token).ConfigureAwait(false);
                if (failing)
                {
                    LogRecovered(_logger);
                    Volatile.Write(ref _lastError, null);
                    Volatile.Write(ref _dropLogged, 0);
                }

                return true;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _lastError, ex.Message);
                if (!failing)
                {
                    LogStoreFailing(_logger, ex.Message, _options.QueueCapacity);
                    failing = true;
                }
            }

            try
            {
                await Task.Delay(delay, _timeProvider, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
        }
    }

    private void OnDropped(Pending entry)
    {
        Interlocked.Increment(ref _dropped);
        if (Interlocked.Exchange(ref _dropLogged, 1) == 0)
        {
            LogDropping(_logger, _options.QueueCapacity);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "History store unavailable ({Error}); finished requests are queued (up to {Capacity}) and retried.")]
    private static partial void LogStoreFailing(ILogger logger, string error, int capacity);

    [LoggerMessage(2, LogLevel.Information, "History store available again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "History queue full ({Capacity} requests): dropping the oldest; the count is in /health.")]
    private static partial void LogDropping(ILogger logger, int capacity);

    [LoggerMessage(4, LogLevel.Information, "History: pruned {Count} requests older than {Days} days.")]
    private static partial void LogPruned(ILogger logger, int count, int days);

    [LoggerMessage(5, LogLevel.Warning, "History: pruning failed ({Error}); will retry.")]
    private static partial void LogPruneFailed(ILogger logger, string error);
}

/// <summary>A queued entry and its sequence in this run.</summary>
internal readonly record struct Pending(long Sequence, RequestLogEntry Entry);

/// <summary>Bounds of the <see cref="HistoryWriter"/>.</summary>
public sealed record HistoryWriterOptions
{
    /// <summary>Entries queued while the store is slow or down; beyond it the oldest are dropped. Also what a SIGKILL can lose.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>Most entries written in one transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary><c>INFLIGHT_HISTORY_DAYS</c>: requests that ended longer ago are pruned.</summary>
    public int RetentionDays { get; init; } = 30;

    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);
}
