using Inflight.Tracking;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// <c>GET /metrics/active-requests/{request_id}</c> (detail of an active or recent request) and
/// <c>POST /metrics/active-requests/{request_id}/cancel</c> (abort it).
/// </summary>
internal static partial class RequestControlEndpoints
{
    /// <summary>The header the dashboard sends with a cancel: a cross-site form cannot set it, and a cross-site script needs a CORS preflight Inflight never grants.</summary>
    public const string CsrfHeader = "x-inflight-csrf";

    /// <summary>How long a cancel waits for the request to end before it finalizes the request itself.</summary>
    private static readonly TimeSpan s_cancelWait = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapRequestControls(this RouteGroupBuilder metrics)
    {
        metrics.MapGet("/active-requests/{request_id}", GetRequest);
        metrics.MapPost("/active-requests/{request_id}/cancel", CancelRequestAsync);
        return metrics;
    }

    public static Results<JsonHttpResult<RequestDetailPayload>, JsonHttpResult<MetricsErrorPayload>, JsonHttpResult<MetricsDisabledPayload>> GetRequest(
        string request_id, RequestTracker tracker, ContentCapture capture, IOptions<MetricsOptions> options)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        return RequestDetailPayload.Find(tracker, request_id, capture) is { } detail
            ? TypedResults.Json(detail, MetricsJsonContext.Default.RequestDetailPayload)
            : NotFound(request_id, "is neither active nor in the recent-requests log");
    }

    public static async Task<Results<JsonHttpResult<RequestLogEntry>, JsonHttpResult<MetricsErrorPayload>>> CancelRequestAsync(
        string request_id, HttpContext context, RequestTracker tracker, ProxyKeyVerifier verifier, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        if (!IsSameOrigin(context.Request))
        {
            return Forbidden("A cancel from another origin is refused.");
        }

        var by = WhoIsAsking(context, verifier);
        if (by == DashboardSession && string.IsNullOrEmpty(context.Request.Headers[CsrfHeader]))
        {
            return Forbidden($"A cancel with the dashboard's session cookie must send the '{CsrfHeader}' header.");
        }

        var logger = loggers.CreateLogger("Inflight.Metrics.RequestControl");
        var at = timeProvider.GetUtcNow();
        var entry = await tracker.CancelAsync(request_id, by + " at " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture), s_cancelWait, context.RequestAborted);
        if (entry is null)
        {
            return NotFound(request_id, "is not an active request (unknown, already finished or already being cancelled)");
        }

        Log.Cancelled(logger, request_id, by, at);
        return TypedResults.Json(entry, MetricsJsonContext.Default.RequestLogEntry, statusCode: StatusCodes.Status202Accepted);
    }

    private const string DashboardSession = "dashboard session";

    /// <summary>Who is cancelling: the proxy key's label, the dashboard session, or anyone when no key is set.</summary>
    private static string WhoIsAsking(HttpContext context, ProxyKeyVerifier verifier)
    {
        if (!verifier.IsRequired)
        {
            // No key: still a cookie-less browser form could post here, so the dashboard path keeps its header check.
            return context.Request.Cookies.ContainsKey(DashboardSessionStore.CookieName) || context.Request.Headers.Origin.Count > 0
                ? DashboardSession
                : "anonymous (no PROXY_API_KEY)";
        }

        return verifier.Identify(ProxyKeyVerifier.ReadClientKey(context.Request)) is { } label ? $"key '{label}'" : DashboardSession;
    }

    /// <summary>A browser always sends Origin on a cross-site POST; it must name this gateway.</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private static JsonHttpResult<MetricsErrorPayload> NotFound(string requestId, string reason)
        => TypedResults.Json(new MetricsErrorPayload("not_found", $"Request '{Bounded(requestId)}' {reason}.", "request_id"), MetricsJsonContext.Default.MetricsErrorPayload, statusCode: StatusCodes.Status404NotFound);

    private static JsonHttpResult<MetricsErrorPayload> Forbidden(string message)
        => TypedResults.Json(new MetricsErrorPayload("forbidden", message, null), MetricsJsonContext.Default.MetricsErrorPayload, statusCode: StatusCodes.Status403Forbidden);

    private static string Bounded(string value) => value.Length <= 64 ? value : value[..64] + "…";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Request {RequestId} cancelled by {CancelledBy} at {At:u}", EventName = "RequestCancelled")]
        public static partial void Cancelled(ILogger logger, string requestId, string cancelledBy, DateTimeOffset at);
    }
}
