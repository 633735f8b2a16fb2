using Inflight.Tracking;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Inflight.Telemetry;

internal static class TelemetryExtensions
{
    public const string PrometheusPath = "/metrics/prometheus";

    public static WebApplicationBuilder AddInflightTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TelemetryLabels>();
        builder.Services.AddSingleton<GenAiMetrics>();
        builder.Services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<GenAiMetrics>());
        builder.Services.AddSingleton<ActiveRequestsGauge>();

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("inflight"))
            .WithMetrics(metrics => metrics
                .AddMeter(GenAiMetrics.MeterName)

                // Every scrape sees the latest figures (the exporter caches 300 ms by default).
                .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    public static WebApplication MapInflightTelemetry(this WebApplication app)
    {
        // The gauge registers its instrument when created; it reads the tracker only when scraped. Created once the
        // host has started, so that invalid settings are reported by the start-up check first, one line each.
        app.Lifetime.ApplicationStarted.Register(static services => _ = ((IServiceProvider)services!).GetRequiredService<ActiveRequestsGauge>(), app.Services);
        app.MapPrometheusScrapingEndpoint(
            PrometheusPath,
            meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(ProxyKeyFilter.RequireKeyAsync),
            optionsName: null);
        return app;
    }
}
