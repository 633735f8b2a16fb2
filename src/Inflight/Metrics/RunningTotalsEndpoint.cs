using System.Text;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary><c>GET /metrics/running-totals</c>: totals since start, YAML by default (as the spec's proxy), JSON on request.</summary>
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
    public static Results<JsonHttpResult<RunningTotalsSnapshot>, JsonHttpResult<MetricsDisabledPayload>, ContentHttpResult, JsonHttpResult<MetricsErrorPayload>> GetRunningTotals(
        HttpRequest request,
        RequestTracker tracker,
        ActiveView view,
        IOptions<MetricsOptions> options,
        [FromQuery] string? provider,
        [FromQuery] string? model,
        [FromQuery(Name = "include_active")] string? includeActive)
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

        var totals = tracker.GetRunningTotals(NullIfBlank(provider), NullIfBlank(model), withActive);
        if (view.Cluster is { } cluster)
        {
            // Cluster mode: this replica's totals plus every other replica's (see docs/cluster.md).
            totals = Cluster.ClusterTotals.Sum(totals, cluster.GetOtherTotals(), cluster.GetRemoteActive(), NullIfBlank(provider), NullIfBlank(model), withActive);
        }

        return json ? TypedResults.Json(totals, MetricsJsonContext.Default.RunningTotalsSnapshot) : Yaml(MetricsYamlWriter.Write(totals));
    }

    private static ContentHttpResult Yaml(string yaml) => TypedResults.Text(yaml, MetricsQuery.YamlContentType, Encoding.UTF8);

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
