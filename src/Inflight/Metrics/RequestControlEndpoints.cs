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

    /// <summary>How long a cancel of another replica's request waits for the owner's acknowledgement (a few beats).</summary>
    private static readonly TimeSpan s_remoteCancelWait = TimeSpan.FromSeconds(10);

    public static RouteGroupBuilder MapRequestControls(this RouteGroupBuilder metrics)
    {
        metrics.MapGet("/active-requests/{request_id}", GetRequest);
        metrics.MapPost("/active-requests/{request_id}/cancel", CancelRequestAsync);
        return metrics;
    }

    public static Results<JsonHttpResult<RequestDetailPayload>, JsonHttpResult<MetricsErrorPayload>, JsonHttpResult<MetricsDisabledPayload>> GetRequest(
        string request_id, ActiveView view, ContentCapture capture, IOptions<MetricsOptions> options)
    {
        if (!options.Value.LogRequestMetrics)
        {
            return TypedResults.Json(MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        }

        return RequestDetailPayload.Find(view, request_id, capture) is { } detail
            ? TypedResults.Json(detail, MetricsJsonContext.Default.RequestDetailPayload)
            : NotFound(request_id, view.Cluster is null ? "is neither active nor in the recent-requests log" : "is neither active nor in the recent-requests log on any replica");
    }

    public static async Task<Results<JsonHttpResult<RequestLogEntry>, JsonHttpResult<RemoteCancelPayload>, JsonHttpResult<MetricsErrorPayload>>> CancelRequestAsync(
        string request_id, HttpContext context, RequestTracker tracker, ActiveView view, ProxyKeyVerifier verifier, TimeProvider timeProvider, ILoggerFactory loggers)
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
        if (entry is null && view.Cluster?.FindOwner(request_id) is { } owner)
        {
            return await CancelOnOwnerAsync(request_id, owner, by + " via replica " + view.Cluster.ReplicaId + " at " + at.ToString("u", System.Globalization.CultureInfo.InvariantCulture), view, timeProvider, logger, context.RequestAborted);
        }

        if (entry is null)
        {
            return NotFound(request_id, "is not an active request (unknown, already finished or already being cancelled)");
        }

        Log.Cancelled(logger, request_id, by, at);
        return TypedResults.Json(entry, MetricsJsonContext.Default.RequestLogEntry, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// Another replica holds the request: a durable flag tells its owner, which cancels it on its next beat (sooner
    /// when pub/sub wakes it) and acknowledges with the request's end. Waits for that end like a local cancel does.
    /// </summary>
    private static async Task<Results<JsonHttpResult<RequestLogEntry>, JsonHttpResult<RemoteCancelPayload>, JsonHttpResult<MetricsErrorPayload>>> CancelOnOwnerAsync(
        string requestId, string owner, string by, ActiveView view, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        var cluster = view.Cluster!;
        if (!await cluster.RequestCancelAsync(owner, requestId, by, cancellationToken))
        {
            return TypedResults.Json(
                new MetricsErrorPayload("cluster_unavailable", $"Request '{Bounded(requestId)}' runs on replica '{owner}', and Redis cannot be reached to ask it to cancel.", null),
                MetricsJsonContext.Default.MetricsErrorPayload,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        Log.CancelForwarded(logger, requestId, owner, by);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(s_remoteCancelWait);
        var version = cluster.Version;
        try
        {
            while (cluster.FindOwner(requestId) is not null)
            {
                await cluster.WaitForChangeAsync(version, wait.Token);
                version = cluster.Version;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not acknowledged yet: the flag stays (with its TTL) and the owner acts on its next beat.
        }

        return cluster.FindRecent(requestId) is { } entry
            ? TypedResults.Json(entry, MetricsJsonContext.Default.RequestLogEntry, statusCode: StatusCodes.Status202Accepted)
            : TypedResults.Json(new RemoteCancelPayload(requestId, owner, "cancel_requested", $"Replica '{owner}' was asked to cancel the request; it acts on its next heartbeat."), MetricsJsonContext.Default.RemoteCancelPayload, statusCode: StatusCodes.Status202Accepted);
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

        [LoggerMessage(2, LogLevel.Warning, "Request {RequestId} runs on replica {Owner}; asked it to cancel for {CancelledBy}", EventName = "RequestCancelForwarded")]
        public static partial void CancelForwarded(ILogger logger, string requestId, string owner, string cancelledBy);
    }
}

/// <summary>The 202 of a cancel forwarded to another replica that has not acknowledged it yet.</summary>
internal sealed record RemoteCancelPayload(string RequestId, string Replica, string Status, string Message);
