using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Hosting;

/// <summary>
/// Reads every options class once before the host starts, so all bad settings are reported together
/// (start-up validation alone stops at whichever options a service happens to resolve first).
/// </summary>
internal static class SettingsCheck
{
    public static IReadOnlyList<string> Collect(IServiceProvider services)
    {
        var failures = new List<string>(services.GetService<SettingsSources>()?.Errors ?? []);
        Check<GatewayOptions>(services, failures);
        Check<MetricsOptions>(services, failures);
        Check<DemoOptions>(services, failures);
        Check<Cluster.ClusterOptions>(services, failures);
        return failures;
    }

    private static void Check<TOptions>(IServiceProvider services, List<string> failures)
        where TOptions : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<TOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            failures.AddRange(ex.Failures);
        }
    }
}
