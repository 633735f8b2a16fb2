using Inflight.Tracking;

namespace Inflight.History;

/// <summary>Where finished requests are kept across restarts. Every call may throw when the database is unreachable.</summary>
public interface IRequestStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema to the newest version; safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The schema version now in the database.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Writes the batch in one transaction: all of it or none.</summary>
    Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, CancellationToken cancellationToken) => WriteAsync(batch, null, cancellationToken);

    /// <summary>
    /// Writes the batch in one transaction, marking row <c>i</c> with <paramref name="origin"/>'s instance and
    /// <c>Sequences[i]</c>, so readers can tell this instance's rows from the ones it still holds in memory.
    /// </summary>
    Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken);

    /// <summary>Deletes requests that ended before <paramref name="endedBefore"/> (epoch seconds); returns how many.</summary>
    Task<int> PruneAsync(double endedBefore, CancellationToken cancellationToken);

    /// <summary>Stored requests, newest first, matching <paramref name="query"/>.</summary>
    Task<IReadOnlyList<StoredRequest>> ReadLogsAsync(StoredLogQuery query, CancellationToken cancellationToken);

    /// <summary>Totals per provider, model and streaming flag of requests that started in [since, until).</summary>
    Task<StoredTotals> ReadTotalsAsync(double? since, double? until, CancellationToken cancellationToken)
        => ReadTotalsAsync(since, until, null, cancellationToken);

    /// <summary>As <see cref="ReadTotalsAsync(double?, double?, CancellationToken)"/>, leaving out the rows <paramref name="exclude"/> names.</summary>
    Task<StoredTotals> ReadTotalsAsync(double? since, double? until, TotalsExclusion? exclude, CancellationToken cancellationToken);

    /// <summary>
    /// Per-model time series of the requests that started in [<c>From</c>, <c>From + Buckets × Step</c>): one point per
    /// bucket that has requests, oldest first. Percentiles are nearest-rank (the value at rank ⌈p·n⌉), so both stores agree exactly.
    /// </summary>
    Task<IReadOnlyList<StoredSeriesPoint>> ReadSeriesAsync(SeriesQuery query, CancellationToken cancellationToken);
}

/// <summary>Who wrote a batch: an instance id (one per process run) and each request's sequence in that run.</summary>
public sealed record BatchOrigin(string InstanceId, IReadOnlyList<long> Sequences);

/// <summary>Rows of <paramref name="InstanceId"/> whose sequence is above <paramref name="AfterSequence"/> (0: all of that instance's rows).</summary>
public sealed record TotalsExclusion(string InstanceId, long AfterSequence);

/// <summary>Buckets of <see cref="StepSeconds"/> starting at <see cref="From"/> (epoch seconds).</summary>
public sealed record SeriesQuery(double From, double StepSeconds, int Buckets)
{
    public double Until => From + (StepSeconds * Buckets);
}

/// <summary>One model's figures in one bucket; the percentiles are null when no request in it had the value.</summary>
public sealed record StoredSeriesPoint(
    int Bucket,
    string Provider,
    string Model,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    double P50DurationMs,
    double P95DurationMs,
    double? P50TtftMs);

/// <summary>One stored request; <see cref="Id"/> orders them and is the <c>before=</c> cursor.</summary>
public sealed record StoredRequest(long Id, RequestLogEntry Entry);

public sealed record StoredLogQuery
{
    public int Limit { get; init; } = 100;

    /// <summary>Only requests stored before this id (the cursor of the previous page).</summary>
    public long? BeforeId { get; init; }
    public string? Provider { get; init; }

    /// <summary>Matches the resolved, the requested or the <c>provider:model</c> name exactly.</summary>
    public string? Model { get; init; }

    /// <summary><see cref="RequestStatus.Success"/> or <see cref="RequestStatus.Error"/>.</summary>
    public string? Status { get; init; }
    public string? ErrorType { get; init; }
}

public sealed record StoredModelTotals(
    string Provider,
    string Model,
    bool IsStreaming,
    long Requests,
    long Errors,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheCreationTokens,
    double DurationMsSum,
    long ToolUses = 0,
    long ToolResults = 0,
    long ToolCalls = 0,
    long TtftCount = 0,
    double TtftMsSum = 0);

/// <summary>Totals over a time range; <see cref="FirstStartTime"/> is the earliest stored request in it (epoch seconds).</summary>
public sealed record StoredTotals(double? FirstStartTime, IReadOnlyList<StoredModelTotals> Models);
