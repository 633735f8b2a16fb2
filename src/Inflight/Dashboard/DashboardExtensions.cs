using Microsoft.AspNetCore.Http.HttpResults;

namespace Inflight.Dashboard;

internal static class DashboardExtensions
{
    public static WebApplicationBuilder AddInflightDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardJsonContext.Default));
        return builder;
    }

    /// <summary>
    /// The dashboard's static files (<c>wwwroot/dashboard</c>, vendored libraries under <c>wwwroot/lib</c>),
    /// <c>/</c> redirecting to <c>/dashboard/</c>, and the sign-in API under <c>/dashboard/api</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapInflightDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapStaticAssets();
        endpoints.MapGet("/", RedirectToDashboard).ExcludeFromDescription();
        endpoints.MapGet("/dashboard/", DashboardPage.Serve).ExcludeFromDescription();
        endpoints.MapDashboardSessionApi();
        return endpoints;
    }

    private static RedirectHttpResult RedirectToDashboard() => TypedResults.Redirect("/dashboard/");
}
