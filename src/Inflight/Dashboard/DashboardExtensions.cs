using Microsoft.AspNetCore.Http.HttpResults;

namespace Inflight.Dashboard;

internal static class DashboardExtensions
{
    public static WebApplicationBuilder AddInflightDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DashboardFiles>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, DashboardJsonContext.Default));
        return builder;
    }

    /// <summary>
    /// The dashboard's embedded files (<c>wwwroot/dashboard</c>, vendored libraries under <c>wwwroot/lib</c>),
    /// <c>/</c> redirecting to <c>/dashboard/</c>, and the sign-in API under <c>/dashboard/api</c>.
    /// </summary>
    public static WebApplication MapInflightDashboard(this WebApplication app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = app.Services.GetRequiredService<DashboardFiles>().Provider,
            OnPrepareResponse = static file => DashboardFiles.ApplyHeaders(file.Context),
        });
        app.MapGet("/", RedirectToDashboard).ExcludeFromDescription();
        app.MapMethods("/dashboard/", [HttpMethods.Get, HttpMethods.Head], DashboardPage.Serve).ExcludeFromDescription();
        app.MapDashboardSessionApi();
        return app;
    }

    private static RedirectHttpResult RedirectToDashboard() => TypedResults.Redirect("/dashboard/");
}
