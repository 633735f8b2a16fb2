using Inflight.Tracking;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Inflight.Telemetry;

internal static class TelemetryExtensions
{
    public const string PrometheusPath = "/metrics/prometheus";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    public static WebApplicationBuilder AddInflightTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TelemetryLabels>();
        builder.Services.AddSingleton<GenAiMetrics>();
        builder.Services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<GenAiMetrics>());
        builder.Services.AddSingleton<ActiveRequestsGauge>();
        builder.Services.AddSingleton<GenAiTracing>();
        builder.Services.AddSingleton<IRequestObserver>(sp => sp.GetRequiredService<GenAiTracing>());

        builder.Services.AddSingleton<OtlpSettingsCheck>();
        builder.Services.AddSingleton<IConfigureOptions<OtlpSettingsOptions>>(sp => sp.GetRequiredService<OtlpSettingsCheck>());
        builder.Services.AddSingleton<IValidateOptions<OtlpSettingsOptions>>(sp => sp.GetRequiredService<OtlpSettingsCheck>());
        builder.Services.AddOptions<OtlpSettingsOptions>().ValidateOnStart();

        // OTLP export is on when the standard variables name an endpoint. The exporter and the SDK read the
        // others themselves from the configuration (OTEL_EXPORTER_OTLP_PROTOCOL, _HEADERS, _TIMEOUT,
        // OTEL_METRIC_EXPORT_INTERVAL, OTEL_BSP_SCHEDULE_DELAY, OTEL_RESOURCE_ATTRIBUTES, ...); a signal's own
        // endpoint, protocol and headers are applied here. Malformed values are reported by the start-up check.
        var configuration = builder.Configuration;
        var ignored = new List<string>();
        var otlpMetrics = OtlpSignalSettings.Read(configuration, OtlpSignalSettings.Metrics, ignored);
        var otlpTraces = OtlpSignalSettings.Read(configuration, OtlpSignalSettings.Traces, ignored);
        var serviceName = HasValue(configuration, ServiceNameKey) ? configuration[ServiceNameKey]!.Trim() : "inflight";
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GenAiMetrics.MeterName)

                    // Every scrape sees the latest figures (the exporter caches 300 ms by default).
                    .AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlpMetrics.Enabled)
                {
                    metrics.AddOtlpExporter(otlpMetrics.Apply);
                }
            });

        // Without an endpoint no tracer exists, so no listener: starting a span costs one check.
        if (otlpTraces.Enabled)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(GenAiTracing.SourceName).AddOtlpExporter(otlpTraces.Apply));
        }

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

    private static bool HasValue(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);
}
