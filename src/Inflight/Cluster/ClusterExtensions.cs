using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.Cluster;

internal static class ClusterExtensions
{
    /// <summary>
    /// Cluster mode's settings and its two background loops (publisher and view). Without <c>REDIS_URL</c> both
    /// loops return at once and nothing in the metrics API changes.
    /// </summary>
    public static WebApplicationBuilder AddInflightCluster(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ClusterSettingsReader>();
        services.AddSingleton<IConfigureOptions<ClusterOptions>>(sp => sp.GetRequiredService<ClusterSettingsReader>());
        services.AddSingleton<IValidateOptions<ClusterOptions>>(sp => sp.GetRequiredService<ClusterSettingsReader>());
        services.AddOptions<ClusterOptions>().ValidateOnStart();
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<FinishedRequests>();
        services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<FinishedRequests>());
        services.AddSingleton<ClusterPublisher>();
        services.AddSingleton<ClusterView>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterView>());
        return builder;
    }
}
