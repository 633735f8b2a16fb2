using System.Text.Json;

namespace Inflight.Protocols.Errors;

/// <summary>
/// Builds error bodies in each API's own shape, so every client can parse the errors Inflight makes:
/// Anthropic <c>{"type":"error","error":{"type":...,"message":...}}</c> and OpenAI
/// <c>{"error":{"message":...,"type":...,"param":null,"code":...}}</c>.
/// </summary>
public static class ErrorBody
{
    public static byte[] Anthropic(string errorType, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", errorType);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static byte[] OpenAI(string errorType, string message, string? code = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", errorType);
            writer.WriteNull("param");
            if (code is null)
            {
                writer.WriteNull("code");
            }
            else
            {
                writer.WriteString("code", code);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The data of a Responses stream's <c>error</c> event (API reference, "Streaming events": error):
    /// <c>{"type":"error","code":...,"message":...,"param":null,"sequence_number":0}</c>. A gateway that
    /// ends a passed-through stream does not know the upstream's last sequence number, hence 0.
    /// </summary>
    public static byte[] ResponsesStreamError(int status, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteString("code", OpenAICodeForStatus(status) ?? OpenAITypeForStatus(status));
            writer.WriteString("message", message);
            writer.WriteNull("param");
            writer.WriteNumber("sequence_number", 0);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The body in <paramref name="format"/>'s shape for an HTTP status Inflight itself answers with.</summary>
    public static byte[] ForStatus(ApiFormat format, int status, string message)
        => format == ApiFormat.Anthropic
            ? Anthropic(AnthropicTypeForStatus(status), message)
            : OpenAI(OpenAITypeForStatus(status), message, OpenAICodeForStatus(status));

    /// <summary>Anthropic's documented error type for a status (see its "Errors" reference).</summary>
    public static string AnthropicTypeForStatus(int status) => status switch
    {
        400 or 408 or 413 or 414 or 415 or 422 or 431 => status == 413 ? "request_too_large" : "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        529 or 503 => "overloaded_error",
        504 => "timeout_error",
        _ => "api_error",
    };

    public static string OpenAITypeForStatus(int status) => status switch
    {
        400 or 404 or 408 or 413 or 414 or 415 or 422 or 431 => "invalid_request_error",
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        _ => "server_error",
    };

    private static string? OpenAICodeForStatus(int status) => status switch
    {
        401 => "invalid_api_key",
        404 => "model_not_found",
        413 => "request_too_large",
        429 => "rate_limit_exceeded",
        502 => "bad_gateway",
        504 => "timeout",
        _ => null,
    };
}
