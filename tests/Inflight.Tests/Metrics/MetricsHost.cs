using Inflight.Tracking;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Inflight.Tests.Metrics;

/// <summary>Starts the real host in demo mode (so it has a provider) with extra settings.</summary>
internal static class MetricsHost
{
    public static WebApplicationFactory<Program> Create(params (string Key, string Value)[] settings)
        => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("INFLIGHT_DEMO", "true");
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    public static RequestTracker Tracker(this WebApplicationFactory<Program> factory) => factory.Services.GetRequiredService<RequestTracker>();

    /// <summary>
    /// Tests use a provider name of their own and filter on it, so traffic from anything else in the host
    /// (such as the demo generator) never changes their figures.
    /// </summary>
    public static RequestStart Start(string provider, string model, bool streaming = false)
        => new()
        {
            Provider = provider,
            RequestedModel = provider + ":" + model,
            ResolvedModel = model,
            IsStreaming = streaming,
            ClientFormat = "openai",
            UpstreamFormat = "openai",
        };
}

/// <summary>One host shared by a test class; tests keep apart by provider name.</summary>
public sealed class MetricsHostFixture : IAsyncDisposable
{
    internal WebApplicationFactory<Program> Factory { get; } = MetricsHost.Create();

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
