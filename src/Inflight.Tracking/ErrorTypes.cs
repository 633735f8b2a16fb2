namespace Inflight.Tracking;

/// <summary>The error types recorded for failed requests (the names the spec's proxy uses).</summary>
public static class ErrorTypes
{
    public const string Cancelled = "cancelled";
    public const string Timeout = "timeout";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string ClientDisconnect = "client_disconnect";
    public const string HttpError = "http_error";
    public const string UpstreamHttpError = "upstream_http_error";
    public const string ApiError = "api_error";
    public const string UpstreamError = "upstream_error";
    public const string AuthError = "auth_error";
    public const string RateLimit = "rate_limit";
    public const string BadRequest = "bad_request";
    public const string StreamingError = "streaming_error";
    public const string UnexpectedError = "unexpected_error";

    /// <summary>The client stopped reading for <c>CLIENT_WRITE_TIMEOUT</c>; both sides were closed.</summary>
    public const string ClientTimeout = "client_timeout";

    /// <summary>The gateway shut down before the request finished.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>In cluster mode: the replica that owned the request stopped sending heartbeats before it finished.</summary>
    public const string ReplicaLost = "replica_lost";
}
