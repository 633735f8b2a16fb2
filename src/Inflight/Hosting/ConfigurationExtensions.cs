using Inflight.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Inflight.Hosting;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// Adds the <c>.env</c> file (under real environment variables), the <c>--demo</c> switch, the
    /// listen address from <c>HOST</c>/<c>PORT</c>, and start-up validation of the gateway settings.
    /// </summary>
    public static WebApplicationBuilder AddInflightConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var dotEnv = DotEnvFile.Read(Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        if (dotEnv.Count > 0)
        {
            // Sources added later win; re-add the environment so it stays above the file.
            builder.Configuration.AddInMemoryCollection(dotEnv);
            builder.Configuration.AddEnvironmentVariables();
        }

        if (args.Contains("--demo", StringComparer.OrdinalIgnoreCase))
        {
            builder.Configuration.AddInMemoryCollection([new(GatewaySettingsReader.DemoModeKey, "true")]);
        }

        builder.Services.AddSingleton<IConfigureOptions<GatewayOptions>, GatewaySettingsReader>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<GatewayOptions>().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Listen where HOST/PORT say, as the lowest-priority "urls" value: explicit URLs (ASPNETCORE_URLS,
        // --urls) and Kestrel endpoints configured in code (the test host) still win.
        var probe = new GatewayOptions();
        new GatewaySettingsReader(builder.Configuration).Configure(probe);
        var host = probe.Host.Contains(':', StringComparison.Ordinal) && !probe.Host.StartsWith('[') ? $"[{probe.Host}]" : probe.Host;
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [new(WebHostDefaults.ServerUrlsKey, $"http://{host}:{probe.Port}")],
        });

        return builder;
    }

    /// <summary>Runs the app; settings errors print one line each and exit with code 1 instead of a stack trace.</summary>
    public static async Task<int> RunInflightAsync(this WebApplication app)
    {
        var failures = SettingsCheck.Collect(app.Services);
        if (failures.Count > 0)
        {
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync($"Invalid setting: {failure}");
            }

            return 1;
        }

        await app.RunAsync();
        return 0;
    }
}
