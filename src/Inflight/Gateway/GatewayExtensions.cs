namespace Inflight.Gateway;

internal static class GatewayExtensions
{
    public static WebApplicationBuilder AddInflightGateway(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapInflightGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", () => TypedResults.Ok(new { status = "ok" }));
        return endpoints;
    }
}
