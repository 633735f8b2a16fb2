using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Inflight.Demo;

internal static class DemoExtensions
{
    /// <summary>
    /// Registers the demo provider's handler (always: the gateway resolves it whenever a provider has
    /// <c>IsDemo</c>), its validated <c>DEMO_*</c> settings, and the traffic generator, which checks at
    /// run time whether demo mode is on, so configuration added late (tests, <c>.env</c>) is honoured.
    /// </summary>
    public static WebApplicationBuilder AddInflightDemo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DemoSettingsReader>();
        services.AddSingleton<IConfigureOptions<DemoOptions>>(sp => sp.GetRequiredService<DemoSettingsReader>());
        services.AddSingleton<IValidateOptions<DemoOptions>>(sp => sp.GetRequiredService<DemoSettingsReader>());
        services.AddOptions<DemoOptions>().ValidateOnStart();
        services.TryAddSingleton<DemoUpstreamHandler>();
        services.TryAddSingleton<DemoTrafficStats>();
        services.AddHostedService<DemoTrafficGenerator>();
        return builder;
    }
}
