namespace Inflight.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddInflightSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProxyKeyVerifier>();
        builder.Services.AddSingleton<DashboardSessionStore>();
        builder.Services.AddSingleton<SecretRedactor>();
        return builder;
    }

    public static WebApplication UseInflightSecurity(this WebApplication app)
    {
        app.UseMiddleware<BrowserRequestGuard>();
        app.Use(DashboardPage.AddSecurityHeadersAsync);
        return app;
    }
}
