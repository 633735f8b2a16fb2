using Inflight.Tracking;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

internal static class MetricsExtensions
{
    public static WebApplicationBuilder AddInflightMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MetricsSettingsReader>();
        builder.Services.AddSingleton<IConfigureOptions<MetricsOptions>>(sp => sp.GetRequiredService<MetricsSettingsReader>());
        builder.Services.AddSingleton<IValidateOptions<MetricsOptions>>(sp => sp.GetRequiredService<MetricsSettingsReader>());
        builder.Services.AddOptions<MetricsOptions>().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, MetricsJsonContext.Default));
        builder.Services.AddActiveRequestsStream();
        builder.Services.AddSingleton<ContentCapture>();
        builder.Services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<ContentCapture>());

        // The tracker's stall threshold comes from VDM_STALL_SECONDS unless a test registered its own options.
        builder.Services.TryAddSingleton(sp => new TrackerOptions { StallThreshold = sp.GetRequiredService<IOptions<MetricsOptions>>().Value.StallThreshold });
        return builder;
    }

    public static IEndpointRouteBuilder MapInflightMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Each metrics endpoint maps itself onto this group (see the Map* methods beside this file).
        var metrics = endpoints.MapGroup("/metrics").RequireProxyKey(ErrorFormat.Json);
        metrics.MapActiveRequests().MapRequestControls();
        metrics.MapRunningTotals().MapLogs().MapHistory();
        return endpoints;
    }
}
