using System.Globalization;
using System.Text;
using Inflight.History;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/running-totals</c>: totals since the first stored request (or since start without a history
/// store), YAML by default (as the spec's proxy), JSON on request.
/// </summary>
/// <remarks>
/// Nothing is counted twice or missed while the writer catches up. Without a range, this process's requests
/// come from the tracker's in-memory totals (all of them, flushed or not) and the store adds only the rows other
/// runs wrote. With <c>since</c>/<c>until</c>, the store answers up to the highest sequence this run has
/// committed, and the writer's not-yet-committed entries (read under the same lock) add the rest.
/// </remarks>
internal static class RunningTotalsEndpoint
{
    public static RouteGroupBuilder MapRunningTotals(this RouteGroupBuilder group)
    {
        group.MapGet("/running-totals", GetRunningTotals).WithName("GetRunningTotals");
        return group;
    }

    // Serialized through MetricsJsonContext explicitly: the host's JsonOptions use web (camelCase)
    // naming, which would override the context's snake_case if the type were resolved through them.

    /// <summary>
    /// Filters: <c>provider</c> (exact, case-insensitive), <c>model</c> (glob such as <c>gpt-*</c>, matched
    /// against the model and <c>provider:model</c>), <c>include_active</c> (default false).
    /// </summary>
    /// <c>since</c>/<c>until</c> (epoch seconds or ISO 8601) count only requests that started in that range.
    public static async Task<Results<JsonHttpResult<RunningTotalsSnapshot>, JsonHttpResult<MetricsDisabledPayload>, ContentHttpResult, JsonHttpResult<MetricsErrorPayload>>> GetRunningTotals(
        HttpRequest request,
        RequestTracker tracker,
        ActiveView view,
        IOptions<MetricsOptions> options,
        HistoryService history,
        [FromQuery] string? provider,
        [FromQuery] string? model,
        [FromQuery(Name = "include_active")] string? includeActive,
        [FromQuery] string? since,
        [FromQuery] string? until,
        CancellationToken cancellationToken)
    {
        if (!MetricsQuery.TryWantsJson(request, out var json, out var error))
        {
            return MetricsQuery.BadRequest(error!);
        }

        if (!options.Value.LogRequestMetrics)
        {
            return json
                ? TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload)
                : Yaml(MetricsYamlWriter.Write(MetricsDisabledPayload.Instance));
        }

        if (!MetricsQuery.TryParseBool("include_active", includeActive, defaultValue: false, out var withActive, out error))
        {
            return MetricsQuery.BadRequest(error!);
        }

        if (!TryParseTime("since", since, out var from, out error) || !TryParseTime("until", until, out var to, out error))
        {
            return MetricsQuery.BadRequest(error!);
        }

        if (from is not null && to is not null && to <= from)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("until", $"until must be after since; got since={since}, until={until}."));
        }

        var ranged = from is not null || to is not null;
        if (ranged && withActive)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("include_active", "include_active counts requests still running, so it cannot be combined with since or until."));
        }

        if (ranged && history.Store is null)
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter(from is not null ? "since" : "until", "since and until need the history store; INFLIGHT_DATABASE_URL is none."));
        }

        var providerFilter = NullIfBlank(provider);
        var modelGlob = NullIfBlank(model);
        var totals = tracker.GetRunningTotals(providerFilter, modelGlob, withActive);
        if (view.Cluster is { } cluster && !ranged)
        {
            // Cluster mode: this replica's totals plus every other replica's live ones from Redis (see
            // docs/cluster.md). The store is not added here: on a shared PostgreSQL it holds the other replicas'
            // rows too, which would count them twice. A since/until range is answered from the store.
            totals = Cluster.ClusterTotals.Sum(totals, cluster.GetOtherTotals(), cluster.GetRemoteActive(), providerFilter, modelGlob, withActive);
        }
        else if (history.Store is { } store && history.Writer is { } writer)
        {
            var merge = new StoredTotalsMerge(providerFilter, modelGlob, tracker.Options.MaxModelsPerProvider);
            try
            {
                if (!ranged)
                {
                    var stored = await store.ReadTotalsAsync(null, null, new TotalsExclusion(writer.InstanceId, 0), cancellationToken);
                    merge.AddSnapshotModels(totals);
                    AddRows(merge, stored);
                    totals = merge.ApplyTo(totals) with { Since = Math.Min(stored.FirstStartTime ?? totals.Since, totals.Since) };
                }
                else
                {
                    var (committed, unflushed) = writer.ReadUnflushed();
                    var stored = await store.ReadTotalsAsync(from, to, new TotalsExclusion(writer.InstanceId, committed), cancellationToken);
                    AddRows(merge, stored);
                    foreach (var entry in unflushed)
                    {
                        if (entry.StartTime >= (from ?? double.MinValue) && entry.StartTime < (to ?? double.MaxValue))
                        {
                            merge.Add(entry);
                        }
                    }

                    totals = merge.ApplyTo(totals) with { Since = from ?? Math.Min(stored.FirstStartTime ?? tracker.StartTime, tracker.StartTime), Until = to };
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Without a range the in-memory totals are still a true answer (since says from when); a range is not.
                if (ranged)
                {
                    return TypedResults.Json(
                        new MetricsErrorPayload("history_unavailable", "The history store could not be read: " + ex.Message, null),
                        MetricsJsonContext.Default.MetricsErrorPayload,
                        statusCode: StatusCodes.Status503ServiceUnavailable);
                }
            }
        }

        return json ? TypedResults.Json(totals, MetricsJsonContext.Default.RunningTotalsSnapshot) : Yaml(MetricsYamlWriter.Write(totals));
    }

    private static void AddRows(StoredTotalsMerge merge, StoredTotals stored)
    {
        foreach (var row in stored.Models)
        {
            merge.Add(row);
        }
    }

    /// <summary>Epoch seconds (<c>1767225600</c>, fractions allowed) or an ISO 8601 time (<c>2026-01-01T00:00:00Z</c>; UTC unless it says otherwise).</summary>
    internal static bool TryParseTime(string name, string? raw, out double? value, out MetricsErrorPayload? error)
    {
        value = null;
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            return true;
        }

        if (double.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            value = seconds;
            return true;
        }

        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            value = time.ToUnixTimeMilliseconds() / 1000.0;
            return true;
        }

        error = MetricsErrorPayload.BadParameter(name, $"{name} must be epoch seconds or an ISO 8601 time such as 2026-01-01T00:00:00Z; got '{raw}'.");
        return false;
    }

    private static ContentHttpResult Yaml(string yaml) => TypedResults.Text(yaml, MetricsQuery.YamlContentType, Encoding.UTF8);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
