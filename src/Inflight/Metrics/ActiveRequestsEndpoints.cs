using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary><c>GET /metrics/active-requests</c> (snapshot) and <c>GET /metrics/active-requests/stream</c> (SSE).</summary>
internal static class ActiveRequestsEndpoints
{
    /// <summary>Registers the stream's publishers (one per mode) as singletons and runs them as hosted services.</summary>
    public static IServiceCollection AddActiveRequestsStream(this IServiceCollection services)
    {
        services.AddSingleton(static sp => new ActiveView(
            sp.GetRequiredService<RequestTracker>(),
            sp.GetService<Cluster.ClusterView>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ActiveRequestsBroadcaster>();
        services.AddHostedService(static sp => sp.GetRequiredService<ActiveRequestsBroadcaster>());

        // ?mode=delta: one publisher for every delta stream, told about starts and ends by its own observer.
        services.AddSingleton<ActiveRequestsMembership>();
        services.AddSingleton<IRequestObserver>(static sp => sp.GetRequiredService<ActiveRequestsMembership>());
        services.AddSingleton<ActiveRequestsDeltaPublisher>();
        services.AddHostedService(static sp => sp.GetRequiredService<ActiveRequestsDeltaPublisher>());
        return services;
    }

    public static RouteGroupBuilder MapActiveRequests(this RouteGroupBuilder metrics)
    {
        metrics.MapGet("/active-requests", GetActiveRequests);
        metrics.MapGet("/active-requests/stream", StreamActiveRequests);
        return metrics;
    }

    public static Results<JsonHttpResult<ActiveRequestsPayload>, JsonHttpResult<MetricsDisabledPayload>> GetActiveRequests(
        ActiveView view, IOptions<MetricsOptions> options)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        return TypedResults.Json(view.CreatePayload(), MetricsJsonContext.Default.ActiveRequestsPayload);
    }

    /// <summary>
    /// Metrics off wins over stream off: the client gets the <c>disabled</c> event that tells it there is nothing
    /// to poll either. Stream off alone is a 503 so that clients fall back to polling the snapshot.
    /// </summary>
    public static Results<ActiveRequestsStreamResult, JsonHttpResult<MetricsDisabledPayload>, JsonHttpResult<MetricsErrorPayload>> StreamActiveRequests(IOptions<MetricsOptions> options, [Microsoft.AspNetCore.Mvc.FromQuery] string? mode)
    {
        if (mode is not (null or "" or "update" or "delta"))
        {
            return MetricsQuery.BadRequest(MetricsErrorPayload.BadParameter("mode", $"mode must be update (the default) or delta; got '{(mode.Length > 32 ? mode[..32] : mode)}'."));
        }

        var settings = options.Value;
        if (!settings.LogRequestMetrics)
        {
            return ActiveRequestsStreamResult.MetricsDisabled;
        }

        if (!settings.SseEnabled)
        {
            return TypedResults.Json(MetricsDisabledPayload.StreamDisabled, MetricsJsonContext.Default.MetricsDisabledPayload, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return ActiveRequestsStreamResult.Live;
    }
}
