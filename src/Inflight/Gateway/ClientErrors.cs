using Inflight.Protocols;
using Inflight.Protocols.Errors;

namespace Inflight.Gateway;

/// <summary>Writes errors Inflight itself raises in the client's own API format.</summary>
internal static class ClientErrors
{
    public static async Task WriteAsync(HttpContext context, ApiFormat format, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = ErrorBody.ForStatus(format, status, message);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// The SSE event that ends a stream which broke after it started: Anthropic's <c>event: error</c>,
    /// an OpenAI-style <c>data: {"error":...}</c> chunk (what OpenAI-compatible servers send mid-stream),
    /// or the Responses API's <c>error</c> event (<c>{"type":"error","code","message","param"}</c>).
    /// </summary>
    public static byte[] StreamErrorEvent(ApiFormat format, int status, string message)
    {
        var body = format == ApiFormat.Responses ? ErrorBody.ResponsesStreamError(status, message) : ErrorBody.ForStatus(format, status, message);
        var prefix = format == ApiFormat.OpenAI ? "data: "u8 : "event: error\ndata: "u8;
        var frame = new byte[prefix.Length + body.Length + 2];
        prefix.CopyTo(frame);
        body.CopyTo(frame.AsSpan(prefix.Length));
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }
}
