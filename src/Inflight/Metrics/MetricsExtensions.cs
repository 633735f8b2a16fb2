namespace Inflight.Metrics;

internal static class MetricsExtensions
{
    public static WebApplicationBuilder AddInflightMetrics(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapInflightMetrics(this IEndpointRouteBuilder endpoints)
    {
        return endpoints;
    }
}
