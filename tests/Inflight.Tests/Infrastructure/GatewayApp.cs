using Inflight.Tracking;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Inflight.Tests.Infrastructure;

/// <summary>The real Inflight host on real Kestrel (127.0.0.1, ephemeral port), configured per test.</summary>
public sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private GatewayApp(WebApplicationFactory<Program> factory, Uri baseAddress)
    {
        _factory = factory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _factory.Services;

    public RequestTracker Tracker => Services.GetRequiredService<RequestTracker>();

    /// <summary>Starts the gateway with these settings (environment-style keys such as FAKE_API_KEY).</summary>
    public static GatewayApp Start(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }

            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("urls", "http://127.0.0.1:0");

            // appsettings.json asks for Information; a thousand test hosts would bury a failure in CI's log.
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayApp(factory, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>A gateway whose only provider, <c>fake</c>, is <paramref name="upstream"/> speaking <paramref name="format"/>.</summary>
    public static GatewayApp StartWithUpstream(Inflight.Testing.FakeUpstream upstream, string format, Dictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["FAKE_API_KEY"] = "upstream-secret",
            ["FAKE_BASE_URL"] = upstream.BaseUrl + "v1",
            ["FAKE_API_FORMAT"] = format,
            ["VDM_DEFAULT_PROVIDER"] = "fake",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return Start(settings, services);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
    }
}
