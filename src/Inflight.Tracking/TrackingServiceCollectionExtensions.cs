using Inflight.Tracking;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class TrackingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="RequestTracker"/> singleton (and <see cref="TimeProvider.System"/> unless one is
    /// registered). A <see cref="TrackerOptions"/> instance registered in the container sets the log sizes;
    /// every registered <see cref="IRequestObserver"/> is told about each finished request.
    /// </summary>
    public static IServiceCollection AddInflightTracking(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RequestTracker(sp.GetRequiredService<TimeProvider>(), sp.GetService<TrackerOptions>(), sp.GetServices<IRequestObserver>()));
        return services;
    }
}
