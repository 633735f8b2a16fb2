namespace Inflight.Dashboard;

internal static class DashboardExtensions
{
    public static WebApplicationBuilder AddInflightDashboard(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static IEndpointRouteBuilder MapInflightDashboard(this IEndpointRouteBuilder endpoints)
    {
        return endpoints;
    }
}
