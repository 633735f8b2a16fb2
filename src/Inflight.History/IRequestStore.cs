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
    Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, CancellationToken cancellationToken);

    /// <summary>Deletes requests that ended before <paramref name="endedBefore"/> (epoch seconds); returns how many.</summary>
    Task<int> PruneAsync(double endedBefore, CancellationToken cancellationToken);

    /// <summary>Stored requests, newest first, matching <paramref name="query"/>.</summary>
    Task<IReadOnlyList<StoredRequest>> ReadLogsAsync(StoredLogQuery query, CancellationToken cancellationToken);

    /// <summary>Totals per provider, model and streaming flag of requests that started in [since, until).</summary>
    Task<StoredTotals> ReadTotalsAsync(double? since, double? until, CancellationToken cancellationToken);
}

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
    double DurationMsSum);

/// <summary>Totals over a time range; <see cref="FirstStartTime"/> is the earliest stored request in it (epoch seconds).</summary>
public sealed record StoredTotals(double? FirstStartTime, IReadOnlyList<StoredModelTotals> Models);
