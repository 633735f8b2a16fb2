using System.Buffers;
using System.Text.Json;
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
    /// or the Responses API's <c>error</c> event (<c>{"type":"error","code","message","param"}</c>) followed by
    /// <c>response.failed</c>, the terminal event Responses clients (Codex, the OpenAI SDKs) wait for.
    /// </summary>
    public static byte[] StreamErrorEvent(ApiFormat format, int status, string message)
    {
        var body = format == ApiFormat.Responses ? ErrorBody.ResponsesStreamError(status, message) : ErrorBody.ForStatus(format, status, message);
        var prefix = format == ApiFormat.OpenAI ? "data: "u8 : "event: error\ndata: "u8;
        var frame = new ArrayBufferWriter<byte>(prefix.Length + body.Length + 256);
        frame.Write(prefix);
        frame.Write(body);
        frame.Write("\n\n"u8);
        if (format == ApiFormat.Responses)
        {
            WriteResponseFailed(frame, status, message);
        }

        return frame.WrittenSpan.ToArray();
    }

    /// <summary><c>event: response.failed</c> with a minimal failed response carrying the error's code and message.</summary>
    private static void WriteResponseFailed(ArrayBufferWriter<byte> frame, int status, string message)
    {
        frame.Write("event: response.failed\ndata: "u8);
        using (var json = new Utf8JsonWriter(frame))
        {
            json.WriteStartObject();
            json.WriteString("type", "response.failed");
            json.WriteNumber("sequence_number", 1);
            json.WriteStartObject("response");
            json.WriteString("object", "response");
            json.WriteString("status", "failed");
            json.WriteStartObject("error");
            json.WriteString("code", ErrorBody.OpenAITypeForStatus(status));
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteStartArray("output");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        frame.Write("\n\n"u8);
    }
}
