using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inflight.Tests.Metrics;

/// <summary>
/// The real host on Kestrel (loopback, ephemeral port) with the given settings. A plain OpenAI provider with a
/// dummy key makes the host start without demo mode, so no synthetic traffic moves the tracker: each test
/// drives the <see cref="RequestTracker"/> singleton itself.
/// </summary>
internal sealed class MetricsTestHost : IAsyncDisposable
{
    /// <summary>A safety net for every await on the server, never a synchronization device.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public const string StreamPath = "/metrics/active-requests/stream";

    private readonly WebApplicationFactory<Program> _factory;

    private MetricsTestHost(WebApplicationFactory<Program> factory, LogCapture logs)
    {
        _factory = factory;
        Logs = logs;
    }

    public LogCapture Logs { get; }

    public RequestTracker Tracker => _factory.Services.GetRequiredService<RequestTracker>();

    public ActiveRequestsBroadcaster Broadcaster => _factory.Services.GetRequiredService<ActiveRequestsBroadcaster>();

    public static MetricsTestHost Start(params (string Key, string Value)[] settings)
    {
        var logs = new LogCapture();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("OPENAI_API_KEY", "sk-test-not-used");

            // The host listens where HOST/PORT say; port 0 lets every test host pick a free one.
            builder.UseSetting("PORT", "0");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureServices(services => services.AddLogging(logging =>
            {
                logging.AddProvider(logs);
                logging.AddFilter<LogCapture>("Inflight", LogLevel.Debug);
            }));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return new MetricsTestHost(factory, logs);
    }

    public HttpClient CreateClient() => _factory.CreateClient();

    public TrackedRequest StartRequest(string model = "gpt-test") => Tracker.Start(new RequestStart
    {
        RequestId = "req_test_" + Guid.NewGuid().ToString("N"),
        Provider = "openai",
        RequestedModel = "openai:" + model,
        ResolvedModel = model,
        IsStreaming = true,
        ClientFormat = "anthropic",
        UpstreamFormat = "openai",
        RequestSize = 1234,
        MessageCount = 3,
    });

    public void StopApplication() => _factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
