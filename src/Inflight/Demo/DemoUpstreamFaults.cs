using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Inflight.Protocols;
using Inflight.Protocols.Errors;

namespace Inflight.Demo;

/// <summary>
/// The failures the demo provider simulates, each shaped like the real provider's: status, headers
/// and error body in the request's format, or a connection cut mid-stream.
/// </summary>
internal static class DemoUpstreamFaults
{
    /// <summary>What a socket read throws when the server closes a chunked response early.</summary>
    public static HttpIOException ConnectionCut()
        => new(HttpRequestError.ResponseEnded, "The response ended prematurely (simulated by the demo provider).");

    public static HttpResponseMessage RateLimited(ApiFormat format, string model, Random random)
    {
        var retryAfter = random.Next(1, 11);
        var response = format == ApiFormat.Anthropic
            ? Create(HttpStatusCode.TooManyRequests, ErrorBody.Anthropic("rate_limit_error",
                "This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later."))
            : Create(HttpStatusCode.TooManyRequests, ErrorBody.OpenAI("requests",
                $"Rate limit reached for {model} in organization org-demo on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in {retryAfter}s.",
                "rate_limit_exceeded"));
        var seconds = retryAfter.ToString(CultureInfo.InvariantCulture);
        response.Headers.Add("retry-after", seconds);
        if (format == ApiFormat.Anthropic)
        {
            response.Headers.Add("anthropic-ratelimit-requests-limit", "50");
            response.Headers.Add("anthropic-ratelimit-requests-remaining", "0");
        }
        else
        {
            response.Headers.Add("x-ratelimit-limit-requests", "60");
            response.Headers.Add("x-ratelimit-remaining-requests", "0");
            response.Headers.Add("x-ratelimit-reset-requests", seconds + "s");
        }

        return response;
    }

    /// <summary>A 500, or the provider's "overloaded" answer: Anthropic's 529, OpenAI's 503.</summary>
    public static HttpResponseMessage ServerError(ApiFormat format, Random random)
    {
        var overloaded = random.Next(2) == 0;
        return (format, overloaded) switch
        {
            (ApiFormat.Anthropic, true) => Create((HttpStatusCode)529, ErrorBody.Anthropic("overloaded_error", "Overloaded")),
            (ApiFormat.Anthropic, false) => Create(HttpStatusCode.InternalServerError, ErrorBody.Anthropic("api_error", "Internal server error")),
            (_, true) => Create(HttpStatusCode.ServiceUnavailable, ErrorBody.OpenAI("server_error", "The engine is currently overloaded, please try again later.")),
            _ => Create(HttpStatusCode.InternalServerError, ErrorBody.OpenAI("server_error", "The server had an error while processing your request. Sorry about that!")),
        };
    }

    public static HttpResponseMessage BadRequest(ApiFormat format, string message)
        => Create(HttpStatusCode.BadRequest, ErrorBody.ForStatus(format, 400, message));

    public static HttpResponseMessage NotFound(ApiFormat format, string path)
        => Create(HttpStatusCode.NotFound, ErrorBody.ForStatus(format, 404, $"The demo provider has no endpoint {path}."));

    private static HttpResponseMessage Create(HttpStatusCode status, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(status) { Content = content };
    }
}
