using System.Net.Sockets;
using Inflight.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Inflight.Hosting;

internal static class ConfigurationExtensions
{
    /// <summary>
    /// Adds the settings files and the <c>--demo</c> switch, the listen address from <c>HOST</c>/<c>PORT</c>,
    /// and start-up validation of the gateway settings. Lowest priority first: <c>appsettings.json</c> next
    /// to the binary, <c>inflight.json</c> next to the binary, the file named by <c>INFLIGHT_CONFIG</c>, the
    /// working directory's <c>.env</c>, environment variables, the command line.
    /// </summary>
    public static WebApplicationBuilder AddInflightConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var sources = new SettingsSources();
        var configuration = builder.Configuration;

        // The content root is the working directory, but the shipped appsettings.json sits beside the binary:
        // read that one, so a service started from anywhere gets the same defaults.
        var binaryDirectory = AppContext.BaseDirectory;
        var at = ReplaceAppSettings(configuration, binaryDirectory);
        at = InsertJson(configuration, at, Path.Combine(binaryDirectory, SettingsSources.ConfigFileName), optional: true, sources);

        var dotEnvDirectory = Directory.GetCurrentDirectory();
        var dotEnvPath = Path.Combine(dotEnvDirectory, ".env");
        var dotEnv = DotEnvFile.Read(dotEnvPath);
        sources.DotEnvDirectory = dotEnvDirectory;
        sources.DotEnvPath = File.Exists(dotEnvPath) ? dotEnvPath : null;

        // INFLIGHT_CONFIG may itself come from .env.
        var configFile = configuration[SettingsSources.ConfigFileKey] ?? dotEnv.GetValueOrDefault(SettingsSources.ConfigFileKey);
        if (!string.IsNullOrWhiteSpace(configFile))
        {
            at = InsertJson(configuration, at, Path.GetFullPath(configFile.Trim()), optional: false, sources);
        }

        if (dotEnv.Count > 0)
        {
            configuration.Sources.Insert(at, new MemoryConfigurationSource { InitialData = dotEnv });
        }

        if (args.Contains("--demo", StringComparer.OrdinalIgnoreCase))
        {
            configuration.AddInMemoryCollection([new(GatewaySettingsReader.DemoModeKey, "true")]);
        }

        builder.Services.AddSingleton(sources);
        builder.Services.AddSingleton<IConfigureOptions<GatewayOptions>, GatewaySettingsReader>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        builder.Services.AddOptions<GatewayOptions>().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        // Listen where HOST/PORT say, as the lowest-priority "urls" value: explicit URLs (ASPNETCORE_URLS,
        // --urls) and Kestrel endpoints configured in code (the test host) still win.
        var probe = new GatewayOptions();
        new GatewaySettingsReader(configuration).Configure(probe);
        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData =
            [
                new(WebHostDefaults.ServerUrlsKey, HostUrl(probe)),

                // ASP.NET Core's per-request Information logs (request starting/finished, endpoint executing/
                // executed: four console lines per request) cost more CPU than the rest of the gateway's path
                // (docs/performance.md). The templates' default; Logging__LogLevel__Microsoft.AspNetCore=Information
                // brings them back.
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
            ],
        });

        return builder;
    }

    /// <summary>
    /// Runs the app. Settings errors (a bad value, an open bind without a key) print one line each and exit
    /// with code 1; a port in use prints one line naming it; otherwise the start-up block, then the gateway.
    /// </summary>
    public static async Task<int> RunInflightAsync(this WebApplication app)
    {
        var failures = SettingsCheck.Collect(app.Services).ToList();
        var gateway = failures.Count == 0 ? app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value : null;
        if (gateway is not null && ExposedByUrls(app.Configuration, gateway) is { } exposed)
        {
            failures.Add(exposed);
        }

        if (failures.Count > 0)
        {
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync($"Invalid setting: {failure}");
            }

            return 1;
        }

        var urls = app.Configuration[WebHostDefaults.ServerUrlsKey];
        if (!string.IsNullOrEmpty(urls) && PortProbe.FindAddressInUse(urls) is not null)
        {
            await Console.Error.WriteLineAsync(PortInUseMessage(app.Configuration, gateway!));
            return 1;
        }

        try
        {
            await app.StartAsync();
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException || IsAddressInUse(ex))
        {
            // Taken between the probe and the bind: the host has logged the details already.
            await Console.Error.WriteLineAsync(PortInUseMessage(app.Configuration, gateway!));
            return 1;
        }

        await Console.Out.WriteAsync(StartupBlock.Describe(app));
        await app.WaitForShutdownAsync();
        return 0;
    }

    internal static string HostUrl(GatewayOptions options) => $"http://{ListenHost.ForUrl(options.Host)}:{options.Port}";

    /// <summary>ASPNETCORE_URLS or --urls can bypass HOST; hold them to the same rule.</summary>
    internal static string? ExposedByUrls(IConfiguration configuration, GatewayOptions gateway)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrEmpty(urls) || urls == HostUrl(gateway) || gateway.ProxyApiKey is not null || gateway.AllowUnauthenticated)
        {
            return null;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = BindingAddress.Parse(url).Host;
            if (!ListenHost.IsLoopback(host))
            {
                return GatewaySettingsReader.ExposedWithoutKey($"The listen URL {url} (ASPNETCORE_URLS or --urls)");
            }
        }

        return null;
    }

    private static bool IsAddressInUse(Exception ex)
        => ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };

    private static string PortInUseMessage(IConfiguration configuration, GatewayOptions gateway)
    {
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        return string.IsNullOrEmpty(urls) || urls == HostUrl(gateway)
            ? $"Port {gateway.Port} on {gateway.Host} is already in use (PORT={gateway.Port}): stop the program using it, or set PORT to a free port."
            : $"An address in {urls} is already in use (ASPNETCORE_URLS or --urls): stop the program using it, or choose a free port.";
    }

    /// <summary>Points the default <c>appsettings*.json</c> sources at the binary's folder; returns the index after the last JSON source.</summary>
    private static int ReplaceAppSettings(IConfigurationBuilder configuration, string directory)
    {
        var at = -1;
        for (var i = 0; i < configuration.Sources.Count; i++)
        {
            if (configuration.Sources[i] is JsonConfigurationSource json)
            {
                if (json.Path?.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) == true)
                {
                    // No reload: settings are read once at start-up, and every watcher is an inotify
                    // instance (128 per user by default) that this provider, owned by no one, would never release.
                    configuration.Sources[i] = new JsonConfigurationSource
                    {
                        Path = json.Path,
                        Optional = true,
                        ReloadOnChange = false,
                        FileProvider = new PhysicalFileProvider(directory),
                    };
                }

                at = i;
            }
        }

        if (at >= 0)
        {
            return at + 1;
        }

        // No JSON sources (a host built without defaults): go just below the environment variables.
        var environment = configuration.Sources.ToList().FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        return environment >= 0 ? environment : configuration.Sources.Count;
    }

    private static int InsertJson(IConfigurationBuilder configuration, int at, string path, bool optional, SettingsSources sources)
    {
        if (!File.Exists(path))
        {
            if (!optional)
            {
                sources.Errors.Add($"{SettingsSources.ConfigFileKey} names '{path}', which does not exist.");
            }

            return at;
        }

        try
        {
            configuration.Sources.Insert(at, new JsonConfigurationSource
            {
                Path = Path.GetFileName(path),
                FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),
                Optional = optional,
            });
        }
        catch (InvalidDataException ex)
        {
            // ConfigurationManager loads a source as it is added; a malformed file must not be a stack trace.
            configuration.Sources.RemoveAt(at);
            sources.Errors.Add($"{path} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}");
            return at;
        }

        sources.JsonFiles.Add(path);
        return at + 1;
    }
}
