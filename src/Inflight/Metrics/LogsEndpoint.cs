using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary><c>GET /metrics/logs</c>: the recent-requests and recent-errors rings.</summary>
internal static class LogsEndpoint
{
    public const int DefaultLimit = 50;

    public static RouteGroupBuilder MapLogs(this RouteGroupBuilder group)
    {
        group.MapGet("/logs", GetLogs).WithName("GetMetricsLogs");
        return group;
    }

    /// <summary><c>limit</c> (default 50) caps each list; values above a ring's size return the whole ring.</summary>
    public static Results<JsonHttpResult<LogsPayload>, JsonHttpResult<MetricsDisabledPayload>, JsonHttpResult<MetricsErrorPayload>> GetLogs(
        RequestTracker tracker,
        IOptions<MetricsOptions> options,
        [FromQuery] string? limit)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        var max = Math.Max(tracker.Options.RecentRequestsCapacity, tracker.Options.RecentErrorsCapacity);
        if (!MetricsQuery.TryParseLimit("limit", limit, DefaultLimit, max, out var count, out var error))
        {
            return MetricsQuery.BadRequest(error!);
        }

        var payload = new LogsPayload(
            Disabled: false,
            tracker.GetRecentRequests(count),
            tracker.GetRecentErrors(count),
            tracker.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
        return TypedResults.Json(payload, MetricsJsonContext.Default.LogsPayload);
    }
}
