using System.Globalization;
using Inflight.History;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/logs</c>: the recent-requests and recent-errors rings, or, with a filter or a
/// <c>before=</c> cursor and a history store, pages read from the store.
/// </summary>
internal static class LogsEndpoint
{
    public const int DefaultLimit = 50;
    public const int MaxStoreLimit = 1000;

    public static RouteGroupBuilder MapLogs(this RouteGroupBuilder group)
    {
        group.MapGet("/logs", GetLogs).WithName("GetMetricsLogs");
        return group;
    }

    /// <summary>
    /// <c>limit</c> (default 50) caps each list; values above a ring's size return the whole ring.
    /// <c>provider</c>, <c>model</c> (resolved, requested or <c>provider:model</c>), <c>status</c>
    /// (<c>success</c>/<c>error</c>) and <c>error_type</c> filter; <c>before</c> pages back from the
    /// <c>next_before</c> of a previous answer and needs the history store; <c>source=store</c> reads the store
    /// without a filter (the dashboard's request log pages through it).
    /// </summary>
    public static async Task<Results<JsonHttpResult<LogsPayload>, JsonHttpResult<MetricsDisabledPayload>, JsonHttpResult<MetricsErrorPayload>>> GetLogs(
        RequestTracker tracker,
        ActiveView view,
        IOptions<MetricsOptions> options,
        HistoryHosting.HistoryService history,
        [FromQuery] string? limit,
        [FromQuery] string? before,
        [FromQuery] string? provider,
        [FromQuery] string? model,
        [FromQuery] string? status,
        [FromQuery(Name = "error_type")] string? errorType,
        [FromQuery] string? source,
        CancellationToken cancellationToken)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        if (status is not null && status != RequestStatus.Success && status != RequestStatus.Error)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("status", $"status must be success or error; got '{status}'."));
        }

        long? beforeId = null;
        if (!string.IsNullOrWhiteSpace(before))
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("before", $"before must be the next_before of a previous answer; got '{before}'."));
            }

            if (history.Store is null)
            {
                return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("before", "before needs the history store; INFLIGHT_DATABASE_URL is none."));
            }

            beforeId = parsed;
        }

        var fromStore = !string.IsNullOrWhiteSpace(source);
        if (fromStore && !source!.Trim().Equals(LogsPayload.StoreSource, StringComparison.OrdinalIgnoreCase))
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("source", $"source can only be store (the default reads the recent rings); got '{source}'."));
        }

        if (fromStore && history.Store is null)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("source", "source=store needs the history store; INFLIGHT_DATABASE_URL is none."));
        }

        var filtered = fromStore || beforeId is not null || provider is not null || model is not null || status is not null || errorType is not null;
        var now = tracker.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        if (filtered && history.Store is { } store)
        {
            if (!MetricsQuery.TryParseLimit("limit", limit, DefaultLimit, MaxStoreLimit, out var pageSize, out var storeError))
            {
                return MetricsQuery.BadRequest(storeError!);
            }

            var query = new StoredLogQuery { Limit = pageSize, BeforeId = beforeId, Provider = provider, Model = model, Status = status, ErrorType = errorType };
            try
            {
                var requests = await store.ReadLogsAsync(query, cancellationToken);
                var errors = status == RequestStatus.Success
                    ? []
                    : await store.ReadLogsAsync(query with { Status = RequestStatus.Error }, cancellationToken);
                return TypedResults.Json(
                    new LogsPayload(false, [.. requests.Select(r => r.Entry)], [.. errors.Select(r => r.Entry)], now, LogsPayload.StoreSource, requests.Count == pageSize && pageSize > 0 ? requests[^1].Id : null),
                    MetricsJsonContext.Default.LogsPayload);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return TypedResults.Json(
                    new MetricsErrorPayload("history_unavailable", "The history store could not be read: " + ex.Message, null),
                    MetricsJsonContext.Default.MetricsErrorPayload,
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }

        var max = Math.Max(tracker.Options.RecentRequestsCapacity, tracker.Options.RecentErrorsCapacity);
        if (!MetricsQuery.TryParseLimit("limit", limit, DefaultLimit, max, out var count, out var error))
        {
            return MetricsQuery.BadRequest(error!);
        }

        IReadOnlyList<RequestLogEntry> recent = filtered ? [.. tracker.GetRecentRequests().Where(Matches).Take(count)] : tracker.GetRecentRequests(count);
        IReadOnlyList<RequestLogEntry> recentErrors = filtered ? [.. tracker.GetRecentErrors().Where(Matches).Take(count)] : tracker.GetRecentErrors(count);
        if (view.Cluster is { } cluster)
        {
            // Cluster mode: every replica's finished requests, newest first, each naming its replica.
            recent = [.. recent.Select(e => e with { Replica = cluster.ReplicaId }).Concat(cluster.GetRecent(errorsOnly: false)).Where(Matches).OrderByDescending(e => e.EndTime).Take(count)];
            recentErrors = [.. recentErrors.Select(e => e with { Replica = cluster.ReplicaId }).Concat(cluster.GetRecent(errorsOnly: true)).Where(Matches).OrderByDescending(e => e.EndTime).Take(count)];
        }

        return TypedResults.Json(new LogsPayload(false, recent, recentErrors, now, LogsPayload.MemorySource, null), MetricsJsonContext.Default.LogsPayload);

        bool Matches(RequestLogEntry e)
            => (provider is null || e.Provider.Equals(provider, StringComparison.OrdinalIgnoreCase))
                && (model is null || e.Model == model || e.RequestedModel == model || e.QualifiedModel == model)
                && (status is null || e.Status == status)
                && (errorType is null || e.ErrorType == errorType);
    }
}
