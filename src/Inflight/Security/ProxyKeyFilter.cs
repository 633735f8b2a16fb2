using Inflight.Protocols;
using Inflight.Protocols.Errors;

namespace Inflight.Security;

/// <summary>
/// Endpoint filter that enforces <c>PROXY_API_KEY</c>: a valid <c>x-api-key</c> / Bearer key, or (where
/// allowed) a dashboard session cookie. Failures get 401 in the endpoint's own error shape.
/// </summary>
internal sealed class ProxyKeyFilter(ErrorFormat format, bool acceptSessionCookie) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var verifier = http.RequestServices.GetRequiredService<ProxyKeyVerifier>();
        if (!verifier.IsRequired || verifier.Verify(ProxyKeyVerifier.ReadClientKey(http.Request)))
        {
            return await next(context);
        }

        if (acceptSessionCookie
            && http.RequestServices.GetRequiredService<DashboardSessionStore>().IsValid(http.Request.Cookies[DashboardSessionStore.CookieName]))
        {
            return await next(context);
        }

        const string Message = "Missing or invalid API key. Send the key set in PROXY_API_KEY as 'x-api-key' or 'Authorization: Bearer'.";
        var body = format switch
        {
            ErrorFormat.ByClient when http.Request.Headers.ContainsKey("anthropic-version") => ErrorBody.ForStatus(ApiFormat.Anthropic, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.ByClient => ErrorBody.ForStatus(ApiFormat.OpenAI, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.Anthropic => ErrorBody.ForStatus(ApiFormat.Anthropic, StatusCodes.Status401Unauthorized, Message),
            ErrorFormat.OpenAI => ErrorBody.ForStatus(ApiFormat.OpenAI, StatusCodes.Status401Unauthorized, Message),
            _ => System.Text.Encoding.UTF8.GetBytes("{\"error\":\"unauthorized\",\"message\":\"" + Message + "\"}"),
        };
        return TypedResults.Text(System.Text.Encoding.UTF8.GetString(body), "application/json", statusCode: StatusCodes.Status401Unauthorized);
    }
}

internal static class ProxyKeyFilterExtensions
{
    /// <summary>Requires <c>PROXY_API_KEY</c> (when set) on every endpoint of the group.</summary>
    public static TBuilder RequireProxyKey<TBuilder>(this TBuilder builder, ErrorFormat format, bool acceptSessionCookie = true)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(new ProxyKeyFilter(format, acceptSessionCookie));
}
