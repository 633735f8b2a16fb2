using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Inflight.Configuration;
using Inflight.Tracking;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Inflight.Dashboard;

/// <summary>
/// Sign-in for the dashboard when <c>PROXY_API_KEY</c> is set. EventSource cannot send headers, so a
/// correct key is exchanged for an opaque session token in an HttpOnly, SameSite=Strict cookie that the
/// metrics endpoints accept. The key travels only in this POST body: never in a URL, storage or a log.
/// </summary>
internal static partial class DashboardSessionApi
{
    private const string SessionRoute = "/dashboard/api/session";

    public static RouteGroupBuilder MapDashboardSessionApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/dashboard/api").ExcludeFromDescription();
        group.MapGet("/session", GetSession);
        group.MapPost("/session", SignIn);
        group.MapDelete("/session", SignOut);
        return group;
    }

    public static JsonHttpResult<SessionStatus> GetSession(HttpContext context, ProxyKeyVerifier verifier, DashboardSessionStore sessions)
    {
        NoStore(context);
        if (!verifier.IsRequired)
        {
            return Status(authRequired: false, signedIn: true);
        }

        var signedIn = sessions.IsValid(context.Request.Cookies[DashboardSessionStore.CookieName]);
        return Status(authRequired: true, signedIn);
    }

    public static Results<JsonHttpResult<SessionStatus>, JsonHttpResult<DashboardError>> SignIn(
        SignInRequest? request,
        HttpContext context,
        ProxyKeyVerifier verifier,
        DashboardSessionStore sessions,
        KeyFailureLimiter limiter,
        RequestTracker tracker,
        ILogger<DashboardSessionStore> logger)
    {
        NoStore(context);
        if (!verifier.IsRequired)
        {
            return Status(authRequired: false, signedIn: true);
        }

        if (string.IsNullOrEmpty(request?.Key))
        {
            return Error(StatusCodes.Status400BadRequest, "bad_request", "Send the key as {\"key\": \"...\"}.");
        }

        // During a lockout a right key signs in only if it was accepted from this address before; otherwise it gets
        // the same 429 as a wrong one, so the lockout answers no guesses (see KeyFailureLimiter).
        var client = context.Connection.RemoteIpAddress;
        var label = verifier.Identify(request.Key);
        var retryAfter = TimeSpan.Zero;
        if (label is null || !limiter.AdmitsRightKey(client, label, out retryAfter))
        {
            var clientName = client?.ToString() ?? "unknown";
            if (label is null && limiter.TryRecordFailure(client, out retryAfter))
            {
                tracker.RecordAuthFailure(SessionRoute, clientName, Gateway.ClientAttribution.Bound(context.Request.Headers.UserAgent.ToString()), "The dashboard sign-in key is not a configured key.");
                Log.SignInFailed(logger, clientName);
                return Error(StatusCodes.Status401Unauthorized, "unauthorized", "That key is not the one set in PROXY_API_KEY.");
            }

            // Counted, not listed or logged: a guesser must not flood the log and the recent errors.
            tracker.CountThrottledAuthFailure(SessionRoute);
            var seconds = KeyFailureLimiter.RetryAfterSeconds(retryAfter);
            context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status429TooManyRequests, "rate_limited", $"Too many wrong keys from this address; try again in {seconds} s.");
        }

        var existing = context.Request.Cookies[DashboardSessionStore.CookieName];
        sessions.Revoke(existing);
        context.Response.Cookies.Append(DashboardSessionStore.CookieName, sessions.Create(), CookieOptions(context, DashboardSessionStore.Lifetime));
        return Status(authRequired: true, signedIn: true);
    }

    public static NoContent SignOut(HttpContext context, DashboardSessionStore sessions)
    {
        NoStore(context);
        sessions.Revoke(context.Request.Cookies[DashboardSessionStore.CookieName]);
        context.Response.Cookies.Delete(DashboardSessionStore.CookieName, CookieOptions(context, maxAge: null));
        return TypedResults.NoContent();
    }

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict,
        // IsHttps reflects X-Forwarded-Proto only from TRUSTED_PROXIES; COOKIE_SECURE forces it.
        Secure = context.Request.IsHttps || context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.CookieSecure,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };

    // Serialized with the context's own options: the host's JSON options would turn snake_case into camelCase.
    private static JsonHttpResult<SessionStatus> Status(bool authRequired, bool signedIn)
        => TypedResults.Json(new SessionStatus(authRequired, signedIn), DashboardJsonContext.Default.SessionStatus);

    private static JsonHttpResult<DashboardError> Error(int statusCode, string error, string message)
        => TypedResults.Json(new DashboardError(error, message), DashboardJsonContext.Default.DashboardError, statusCode: statusCode);

    private static void NoStore(HttpContext context) => context.Response.Headers[HeaderNames.CacheControl] = "no-store";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Dashboard sign-in with a wrong key from {Client}", EventName = "SignInFailed")]
        public static partial void SignInFailed(ILogger logger, string client);
    }
}
