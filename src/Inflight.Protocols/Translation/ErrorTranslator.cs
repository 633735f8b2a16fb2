using System.Text;
using System.Text.Json;
using Inflight.Protocols.Errors;

namespace Inflight.Protocols.Translation;

/// <summary>An error body and HTTP status ready to send to the client.</summary>
public readonly record struct TranslatedError(int Status, byte[] Body);

/// <summary>The <c>error</c> of a Responses <c>response.failed</c> event.</summary>
internal readonly record struct ResponsesFailure(string Code, string Message);

/// <summary>
/// Maps a provider's error (status + body) to the client's API shape. The status decides the type where
/// it is meaningful (both references key their error types on it); mid-stream errors, which have no
/// status of their own (pass 0), take it from the provider's error type or code.
/// </summary>
public static class ErrorTranslator
{
    /// <summary>OpenAI error → Anthropic <c>{"type":"error","error":{...}}</c> with one of Anthropic's documented types.</summary>
    public static TranslatedError OpenAIToAnthropic(int status, ReadOnlySpan<byte> openAIBody)
    {
        var (type, code, message) = Read(openAIBody, anthropicShape: false);
        if (status is < 400 or > 599)
        {
            status = StatusForOpenAI(type, code);
        }

        var anthropicType = ErrorBody.AnthropicTypeForStatus(status);
        if (status == 429 && code is "insufficient_quota")
        {
            // Still a 429 for the client: Anthropic has no "quota" type, and rate_limit_error is what clients retry on.
            anthropicType = "rate_limit_error";
        }

        message ??= $"Upstream provider returned HTTP {status}.";
        if (IsContextOverflow(code, message) && !message.StartsWith(PromptTooLong, StringComparison.Ordinal))
        {
            // Anthropic words this error "prompt is too long: …"; Claude Code compacts the conversation on it.
            message = PromptTooLong + message;
        }

        return new TranslatedError(status, ErrorBody.Anthropic(anthropicType, message));
    }

    /// <summary>Anthropic error → OpenAI <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static TranslatedError AnthropicToOpenAI(int status, ReadOnlySpan<byte> anthropicBody)
    {
        var (type, _, message) = Read(anthropicBody, anthropicShape: true);
        if (status is < 400 or > 599 || status == 529)
        {
            // 529 (overloaded) is Anthropic's own; OpenAI clients know 503 as "try again later".
            status = StatusForAnthropic(type, status);
        }

        var code = type switch
        {
            "invalid_request_error" when message?.StartsWith(PromptTooLong, StringComparison.Ordinal) == true => "context_length_exceeded",
            "authentication_error" => "invalid_api_key",
            "not_found_error" => "model_not_found",
            "rate_limit_error" => "rate_limit_exceeded",
            "overloaded_error" => "overloaded",
            "request_too_large" => "request_too_large",
            "timeout_error" => "timeout",
            _ => null,
        };

        var body = ErrorBody.OpenAI(ErrorBody.OpenAITypeForStatus(status), message ?? $"Upstream provider returned HTTP {status}.", code);
        return new TranslatedError(status, body);
    }

    /// <summary>
    /// An upstream OpenAI-format error as the <c>error</c> of a Responses <c>response.failed</c> event:
    /// the code clients act on (Codex compacts on <c>context_length_exceeded</c>, backs off on
    /// <c>rate_limit_exceeded</c> and <c>server_is_overloaded</c>) and the message.
    /// </summary>
    internal static ResponsesFailure OpenAIToResponsesFailure(int status, ReadOnlySpan<byte> openAIBody)
    {
        var (type, code, message) = Read(openAIBody, anthropicShape: false);
        return new ResponsesFailure(ResponsesCode(code, type, status), message ?? $"Upstream provider returned HTTP {status}.");
    }

    /// <summary>An upstream Anthropic error as a Responses failure, by way of its OpenAI translation.</summary>
    internal static ResponsesFailure AnthropicToResponsesFailure(int status, ReadOnlySpan<byte> anthropicBody)
    {
        var openAI = AnthropicToOpenAI(status, anthropicBody);
        return OpenAIToResponsesFailure(openAI.Status, openAI.Body);
    }

    /// <summary>An OpenAI error code or type (e.g. <c>server_error</c>, <c>rate_limit_error</c>) as a Responses error code.</summary>
    internal static string ResponsesCode(string? code, string? type, int status) => code switch
    {
        "context_length_exceeded" or "insufficient_quota" or "rate_limit_exceeded" or "server_is_overloaded" or "invalid_prompt" => code,
        "overloaded" or "server_overloaded" or "service_unavailable" => "server_is_overloaded",
        _ when type is "rate_limit_error" or "tokens" or "requests" || status == 429 => "rate_limit_exceeded",
        _ when type is "overloaded_error" || status is 503 or 529 => "server_is_overloaded",
        _ => code ?? type ?? "server_error",
    };

    private const string PromptTooLong = "prompt is too long: ";

    private static bool IsContextOverflow(string? code, string message)
        => code == "context_length_exceeded" || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase);

    private static int StatusForOpenAI(string? type, string? code) => (code ?? type) switch
    {
        "invalid_api_key" or "authentication_error" => 401,
        "permission_error" or "insufficient_permissions" => 403,
        "model_not_found" or "not_found_error" => 404,
        "rate_limit_exceeded" or "rate_limit_error" or "insufficient_quota" or "tokens" or "requests" => 429,
        "invalid_request_error" or "context_length_exceeded" => 400,
        "overloaded" or "service_unavailable" or "server_overloaded" => 529,
        _ => type == "invalid_request_error" ? 400 : 500,
    };

    private static int StatusForAnthropic(string? type, int status) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "timeout_error" => 504,
        "overloaded_error" => 503,
        _ => status == 529 ? 503 : 500,
    };

    /// <summary>Reads (type, code, message) from either shape; a body that is not JSON becomes the message itself.</summary>
    private static (string? Type, string? Code, string? Message) Read(ReadOnlySpan<byte> body, bool anthropicShape)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String)
                {
                    return (null, null, error.GetString());
                }

                if (error.ValueKind == JsonValueKind.Object)
                {
                    return (Str(error, "type"), anthropicShape ? null : Str(error, "code"), Str(error, "message"));
                }
            }

            if (root.ValueKind == JsonValueKind.Object && Str(root, "message") is { } message)
            {
                return (Str(root, "type"), null, message);
            }
        }
        catch (JsonException)
        {
        }

        var text = Encoding.UTF8.GetString(body.Length > 1000 ? body[..1000] : body).Trim();
        return (null, null, text.Length == 0 ? null : text);
    }

    private static string? Str(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
