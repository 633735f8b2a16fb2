using System.Net;
using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Inflight.Security;

/// <summary>
/// Keeps web pages out when the gateway is open (no <c>PROXY_API_KEY</c>, the default): a <c>Host</c> that is not a
/// loopback name or in <c>ALLOWED_HOSTS</c> is refused (DNS rebinding), so is a browser request from another site
/// (<c>Origin</c> not allowed, or <c>Sec-Fetch-Site: cross-site</c>), and an API body that is not JSON (a form or
/// <c>text/plain</c> POST is what a page can send without asking). Navigations stay allowed: a page cannot read them.
/// </summary>
internal sealed partial class BrowserRequestGuard(RequestDelegate next, IOptions<GatewayOptions> options, ILogger<BrowserRequestGuard> logger)
{
    private readonly GatewayOptions _options = options.Value;

    /// <summary>The request-line and header limits Kestrel would apply (its defaults), enforced here so the answer has a body.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;
    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's own, roomier limits: beyond them it still answers with an empty body, but memory stays bounded.</summary>
    public const int KestrelRequestLineBytes = 64 * 1024;
    public const int KestrelHeaderBytes = 128 * 1024;
    public const int KestrelHeaderCount = 1000;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "";
        if (request.Method.Length + target.Length + 10 > MaxRequestLineBytes)
        {
            return RequestErrors.WriteAsync(context, StatusCodes.Status414UriTooLong, $"The request line is longer than {MaxRequestLineBytes} bytes.");
        }

        var (headerCount, headerBytes) = Measure(request.Headers);
        if (headerBytes > MaxHeaderBytes)
        {
            return RequestErrors.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"The request headers are larger than {MaxHeaderBytes} bytes in total.");
        }

        if (headerCount > MaxHeaderCount)
        {
            return RequestErrors.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"The request has more than {MaxHeaderCount} header fields.");
        }

        var host = request.Host.Host;
        if (host.Length > 0 && !IsAllowedHost(host))
        {
            Log.HostRefused(logger, ShortHost(host));
            return RequestErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"Host '{ShortHost(host)}' is not allowed. Inflight answers to loopback names and the hosts in ALLOWED_HOSTS.");
        }

        if (IsCrossSite(request))
        {
            Log.CrossSiteRefused(logger, request.Path);
            return RequestErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "Cross-site browser requests are refused. Call Inflight from its own dashboard, a CLI or an SDK; add a page's host to ALLOWED_HOSTS to let it in.");
        }

        // Only a body is checked: a bodiless POST (the Responses API's …/{id}/cancel) carries no content type.
        var hasBody = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        if (HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments("/v1") && hasBody && !IsJson(request.ContentType))
        {
            return RequestErrors.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.");
        }

        return next(context);
    }

    internal bool IsAllowedHost(string host)
    {
        if (_options.AllowAnyHost)
        {
            return true;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (IPAddress.TryParse(host.AsSpan().Trim("[]"), out var address) && IPAddress.IsLoopback(address))
        {
            return true;
        }

        foreach (var allowed in _options.AllowedHosts)
        {
            if (host.Equals(allowed, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsCrossSite(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (origin.Length == 0 && fetchSite.Length == 0)
        {
            // Not a browser (or a very old one): CLIs and SDKs send neither.
            return false;
        }

        var originAllowed = origin.Length > 0 && Uri.TryCreate(origin, UriKind.Absolute, out var originUri) && IsAllowedHost(originUri.IdnHost);
        if (origin.Length > 0 && !originAllowed)
        {
            return true;
        }

        // A cross-site navigation (a link to the dashboard) is harmless: the page that made it cannot read the answer.
        var navigation = HttpMethods.IsGet(request.Method) && request.Headers["Sec-Fetch-Mode"] == "navigate";
        return fetchSite.Equals("cross-site", StringComparison.OrdinalIgnoreCase) && !originAllowed && !navigation;
    }

    /// <summary>Header lines (a repeated name counts once per value, as Kestrel counts them) and their approximate size on the wire.</summary>
    private static (int Count, long Bytes) Measure(IHeaderDictionary headers)
    {
        var count = 0;
        long total = 0;
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                count++;
                total += name.Length + 4 + (value?.Length ?? 0);
            }
        }

        return (count, total);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var type = mediaType.MediaType;
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static string ShortHost(string host) => host.Length <= 80 ? host : host[..80] + "…";

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused a request for host '{Host}' (not loopback, not in ALLOWED_HOSTS)", EventName = "HostRefused")]
        public static partial void HostRefused(ILogger logger, string host);

        [LoggerMessage(2, LogLevel.Warning, "Refused a cross-site browser request to {Path}", EventName = "CrossSiteRefused")]
        public static partial void CrossSiteRefused(ILogger logger, string path);
    }
}

/// <summary>Errors raised before routing, in the format of the endpoint the path names.</summary>
internal static class RequestErrors
{
    public static ErrorFormat FormatFor(HttpRequest request)
        => request.Path.StartsWithSegments("/v1/messages") || (request.Path.StartsWithSegments("/v1") && request.Headers.ContainsKey("anthropic-version"))
            ? ErrorFormat.Anthropic
            : request.Path.StartsWithSegments("/v1") ? ErrorFormat.OpenAI : ErrorFormat.Json;

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        var format = FormatFor(context.Request);
        if (format != ErrorFormat.Json)
        {
            await ClientErrors.WriteAsync(context, format == ErrorFormat.Anthropic ? ApiFormat.Anthropic : ApiFormat.OpenAI, status, message);
            return;
        }

        if (context.Response.HasStarted)
        {
            return;
        }

        // Sized, not chunked, like the API error answers: a raw client reads it without de-chunking.
        var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new RequestError(ReasonPhrases(status), message), SecurityJsonContext.Default.RequestError);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static string ReasonPhrases(int status) => status switch
    {
        400 => "bad_request",
        403 => "forbidden",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        431 => "request_header_fields_too_large",
        _ => "error",
    };
}

internal sealed record RequestError(string Error, string Message);

[System.Text.Json.Serialization.JsonSerializable(typeof(RequestError))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class SecurityJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
