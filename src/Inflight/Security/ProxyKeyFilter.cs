using Inflight.Protocols;
using Inflight.Protocols.Errors;

namespace Inflight.Security;

/// <summary>
/// Endpoint filter that enforces <c>PROXY_API_KEY</c>: a valid <c>x-api-key</c> / Bearer key, or (where
/// allowed) a dashboard session cookie. Failures get 401 in the endpoint's own error shape.
/// </summary>
internal sealed class ProxyKeyFilter(ErrorFormat format, bool acceptSessionCookie) : IEndpointFilter
{
    private const string Message = "Missing or invalid API key. Send the key set in PROXY_API_KEY as 'x-api-key' or 'Authorization: Bearer'.";
    private static readonly byte[] JsonBody = System.Text.Encoding.UTF8.GetBytes("{\"error\":\"unauthorized\",\"message\":\"" + Message + "\"}");

    /// <summary>Middleware form, for endpoints that are a pipeline rather than a handler (the Prometheus scrape): 401 in JSON.</summary>
    public static Task RequireKeyAsync(HttpContext http, RequestDelegate next)
    {
        if (IsAllowed(http, acceptSessionCookie: true))
        {
            return next(http);
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(JsonBody).AsTask();
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (IsAllowed(http, acceptSessionCookie))
        {
            return await next(context);
        }

        var body = format switch
        {
            ErrorFormat.ByClient when http.Request.Headers.ContainsKey("anthropic-version") => ErrorBody.ForStatus(ApiFormat.Anthropic, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.ByClient => ErrorBody.ForStatus(ApiFormat.OpenAI, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.Anthropic => ErrorBody.ForStatus(ApiFormat.Anthropic, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.OpenAI => ErrorBody.ForStatus(ApiFormat.OpenAI, StatusCodes.Status401Unauthorized, Message),
            _ => JsonBody,
        };
        return TypedResults.Text(System.Text.Encoding.UTF8.GetString(body), "application/json", statusCode: StatusCodes.Status401Unauthorized);
    }

    private static bool IsAllowed(HttpContext http, bool acceptSessionCookie)
    {
        var verifier = http.RequestServices.GetRequiredService<ProxyKeyVerifier>();
        if (!verifier.IsRequired || verifier.Verify(ProxyKeyVerifier.ReadClientKey(http.Request)))
        {
            return true;
        }

        return acceptSessionCookie
            && http.RequestServices.GetRequiredService<DashboardSessionStore>().IsValid(http.Request.Cookies[DashboardSessionStore.CookieName]);
    }
}

internal static class ProxyKeyFilterExtensions
{
    /// <summary>Requires <c>PROXY_API_KEY</c> (when set) on every endpoint of the group.</summary>
    public static TBuilder RequireProxyKey<TBuilder>(this TBuilder builder, ErrorFormat format, bool acceptSessionCookie = true)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(new ProxyKeyFilter(format, acceptSessionCookie));
}
