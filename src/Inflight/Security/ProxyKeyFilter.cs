using Inflight.Protocols;
using Inflight.Protocols.Errors;

namespace Inflight.Security;

/// <summary>
/// Endpoint filter that enforces <c>PROXY_API_KEY</c>: a valid <c>x-api-key</c> / Bearer key, or (where
/// allowed) a dashboard session cookie. Failures get 401 in the endpoint's own error shape, 429 once the client's
/// address has sent too many wrong keys (<see cref="KeyFailureLimiter"/>: during such a lockout only a key already
/// accepted from that address, or a session cookie, passes).
/// </summary>
internal sealed class ProxyKeyFilter(ErrorFormat format, bool acceptSessionCookie) : IEndpointFilter
{
    private const string KeyLabelItem = "inflight.key_label";
    private const string Message = "Missing or invalid API key. Send the key set in PROXY_API_KEY as 'x-api-key' or 'Authorization: Bearer'.";
    private static readonly byte[] s_unauthorizedJson = System.Text.Encoding.UTF8.GetBytes("{\"error\":\"unauthorized\",\"message\":\"" + Message + "\"}");

    /// <summary>The label of the key this request was let in with; null when no key is configured or a session cookie let it in.</summary>
    public static string? KeyLabelOf(HttpContext context) => context.Items.TryGetValue(KeyLabelItem, out var label) ? label as string : null;

    /// <summary>
    /// Refuses a request whose key check failed: 401, or 429 with <c>Retry-After</c> once its address has used up
    /// <c>AUTH_FAILURE_LIMIT</c> (see <see cref="KeyFailureLimiter"/> for why the limiter is asked only now). Either way
    /// the refusal is counted per route; a 401 is also listed in recent errors with address and user-agent, never the key.
    /// </summary>
    private static (int Status, string Message) Refuse(HttpContext http, TimeSpan? lockedOutFor)
    {
        var limiter = http.RequestServices.GetRequiredService<KeyFailureLimiter>();
        var status = StatusCodes.Status401Unauthorized;
        var message = Message;
        var retryAfter = lockedOutFor ?? TimeSpan.Zero;
        if (lockedOutFor is not null || !limiter.TryRecordFailure(http.Connection.RemoteIpAddress, out retryAfter))
        {
            var seconds = KeyFailureLimiter.RetryAfterSeconds(retryAfter);
            status = StatusCodes.Status429TooManyRequests;
            message = $"Too many requests with a missing or wrong API key from this address; retry in {seconds} s. Clients already using the right key from this address are not affected.";
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var tracker = http.RequestServices.GetRequiredService<Inflight.Tracking.RequestTracker>();
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        if (status == StatusCodes.Status429TooManyRequests)
        {
            tracker.CountThrottledAuthFailure(route);
            return (status, message);
        }

        var requestId = tracker.RecordAuthFailure(
            route,
            http.Connection.RemoteIpAddress?.ToString(),
            Inflight.Gateway.ClientAttribution.Bound(http.Request.Headers.UserAgent.ToString()),
            ProxyKeyVerifier.ReadClientKey(http.Request) is null ? "No API key was sent." : "The API key sent is not a configured key.");
        http.Response.Headers[Inflight.Gateway.GatewayForwarder.RequestIdHeader] = requestId;
        return (status, message);
    }

    /// <summary>Middleware form, for endpoints that are a pipeline rather than a handler (the Prometheus scrape): 401 or 429 in JSON.</summary>
    public static Task RequireKeyAsync(HttpContext http, RequestDelegate next)
    {
        if (IsAllowed(http, acceptSessionCookie: true, out var lockedOutFor))
        {
            return next(http);
        }

        var (status, message) = Refuse(http, lockedOutFor);
        var body = JsonBody(status, message);
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>
    /// A configured key (its label is kept for the request) that the address's lockout admits, or where allowed a
    /// dashboard session; true when no key is configured. <paramref name="lockedOutFor"/> is set when a right key
    /// was refused because its address is locked out.
    /// </summary>
    private static bool IsAllowed(HttpContext http, bool acceptSessionCookie, out TimeSpan? lockedOutFor)
    {
        lockedOutFor = null;
        var verifier = http.RequestServices.GetRequiredService<ProxyKeyVerifier>();
        if (!verifier.IsRequired)
        {
            return true;
        }

        if (verifier.Identify(ProxyKeyVerifier.ReadClientKey(http.Request)) is { } label)
        {
            var limiter = http.RequestServices.GetRequiredService<KeyFailureLimiter>();
            if (!limiter.AdmitsRightKey(http.Connection.RemoteIpAddress, label, out var retryAfter))
            {
                lockedOutFor = retryAfter;
                return false;
            }

            http.Items[KeyLabelItem] = label;
            return true;
        }

        return acceptSessionCookie
            && http.RequestServices.GetRequiredService<DashboardSessionStore>().IsValid(http.Request.Cookies[DashboardSessionStore.CookieName]);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (IsAllowed(http, acceptSessionCookie, out var lockedOutFor))
        {
            return await next(context);
        }

        var (status, message) = Refuse(http, lockedOutFor);
        var body = format switch
        {
            ErrorFormat.ByClient when http.Request.Headers.ContainsKey("anthropic-version") => ErrorBody.ForStatus(ApiFormat.Anthropic, status, message),
            ErrorFormat.ByClient => ErrorBody.ForStatus(ApiFormat.OpenAI, status, message),
            ErrorFormat.Anthropic => ErrorBody.ForStatus(ApiFormat.Anthropic, status, message),
            ErrorFormat.OpenAI => ErrorBody.ForStatus(ApiFormat.OpenAI, status, message),
            _ => JsonBody(status, message),
        };
        return TypedResults.Text(System.Text.Encoding.UTF8.GetString(body), "application/json", statusCode: status);
    }

    private static byte[] JsonBody(int status, string message)
        => status == StatusCodes.Status401Unauthorized
            ? s_unauthorizedJson
            : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new RequestError("rate_limited", message), SecurityJsonContext.Default.RequestError);
}

internal static class ProxyKeyFilterExtensions
{
    /// <summary>Requires <c>PROXY_API_KEY</c> (when set) on every endpoint of the group.</summary>
    public static TBuilder RequireProxyKey<TBuilder>(this TBuilder builder, ErrorFormat format, bool acceptSessionCookie = true)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(new ProxyKeyFilter(format, acceptSessionCookie));
}
