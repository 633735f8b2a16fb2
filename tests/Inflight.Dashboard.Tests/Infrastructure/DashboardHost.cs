using System.Net;
using Inflight.Tracking;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inflight.Dashboard.Tests.Infrastructure;

/// <summary>
/// The real Inflight host on real Kestrel at 127.0.0.1. <see cref="StopAsync"/> and <see cref="StartAgain"/> stop it and starts a
/// new one on the same port, which is how the tests make the server "go away and come back".
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private WebApplicationFactory<Program>? _factory;

    private DashboardHost(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices)
    {
        _settings = settings;
        _configureServices = configureServices;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Port => BaseAddress.Port;

    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The host is stopped.");

    public RequestTracker Tracker => Services.GetRequiredService<RequestTracker>();

    /// <summary>Starts the host with environment-style settings; without providers it runs the demo provider (its traffic generator only when DEMO_TRAFFIC=true).</summary>
    public static DashboardHost Start(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var merged = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        if (!merged.Keys.Any(k => k.EndsWith("_API_KEY", StringComparison.OrdinalIgnoreCase) && !k.Equals("PROXY_API_KEY", StringComparison.OrdinalIgnoreCase)))
        {
            merged.TryAdd("INFLIGHT_DEMO", "true");
        }

        // Tests make their own traffic unless they ask for the demo's generator.
        merged.TryAdd("DEMO_TRAFFIC", "false");

        var host = new DashboardHost(merged, configureServices);
        host.StartOn(0);
        return host;
    }

    /// <summary>Stops the server: open connections (the SSE stream) are cut.</summary>
    public async Task StopAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
            _factory = null;
        }
    }

    /// <summary>Starts a fresh host on the port the previous one used.</summary>
    public void StartAgain() => StartOn(Port);

    public async ValueTask DisposeAsync() => await StopAsync();

    private void StartOn(int port)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in _settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("urls", $"http://127.0.0.1:{port}");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error));
            builder.ConfigureTestServices(services =>
            {
                // Stopping must cut open SSE streams at once, as a crash or redeploy would.
                services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
                _configureServices?.Invoke(services);
            });
        });
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        _factory = factory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
    }
}
