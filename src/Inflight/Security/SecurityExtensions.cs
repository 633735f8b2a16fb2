using Inflight.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Inflight.Security;

internal static class SecurityExtensions
{
    public static WebApplicationBuilder AddInflightSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProxyKeyVerifier>();
        builder.Services.AddSingleton<KeyFailureLimiter>();
        builder.Services.AddSingleton<DashboardSessionStore>();
        builder.Services.AddSingleton<SecretRedactor>();

        // Kestrel answers its own limit breaches with an empty body; it gets roomier limits and the guard enforces
        // the usual ones, answering in the client's error format.
        builder.Services.Configure<KestrelServerOptions>(static kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = BrowserRequestGuard.KestrelRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = BrowserRequestGuard.KestrelHeaderBytes;
        });
        return builder;
    }

    public static WebApplication UseInflightSecurity(this WebApplication app)
    {
        // Forwarded headers are believed only from TRUSTED_PROXIES (ASP.NET Core would trust loopback by default),
        // so the client address and scheme a proxy reports reach the limits and the cookie's Secure flag.
        // Invalid settings are reported by the start-up check (one line each) once the pipeline is built; reading
        // them here must not turn that into a stack trace.
        GatewayOptions? gateway;
        try
        {
            gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            gateway = null;
        }

        if (gateway is { TrustedProxies.Count: > 0 })
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in gateway.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        app.UseMiddleware<BrowserRequestGuard>();
        return app;
    }
}
