namespace Inflight.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddInflightSecurity(this WebApplicationBuilder builder)
    {
        return builder;
    }

    public static WebApplication UseInflightSecurity(this WebApplication app)
    {
        return app;
    }
}
