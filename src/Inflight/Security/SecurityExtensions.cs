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
        // the usual ones (request line, header size, header count), answering in the client's error format.
        //
        // What cannot get a body: whatever Kestrel refuses while parsing the head, before any middleware runs — a
        // head beyond these roomier limits, a malformed request line or header line, a NUL or bare CR in a header,
        // a missing, repeated or invalid Host, conflicting Content-Length / Transfer-Encoding. Kestrel answers those
        // with the status alone (400, 414 or 431, Content-Length: 0, Connection: close). ASP.NET Core has no hook to
        // change that answer: IHttpRequestLineHandler and the parser are internal, and the one public signal, the
        // "Microsoft.AspNetCore.Server.Kestrel.BadRequest" DiagnosticSource event, fires before Kestrel resets the
        // headers and writes the response itself. Rewriting it would mean parsing HTTP/1.1 again in a connection
        // middleware on every connection, which is not worth it for requests no real client sends.
        builder.Services.Configure<KestrelServerOptions>(static kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = BrowserRequestGuard.KestrelRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = BrowserRequestGuard.KestrelHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = BrowserRequestGuard.KestrelHeaderCount;
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
