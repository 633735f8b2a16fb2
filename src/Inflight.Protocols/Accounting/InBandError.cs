using System.Text.Json;

namespace Inflight.Protocols.Accounting;

/// <summary>
/// The error a provider sent inside a stream that had already started with 200: Anthropic
/// <c>event: error</c> / <c>{"type":"error","error":{"type","message"}}</c>, an OpenAI chunk <c>{"error":{"type"|"code","message"}}</c>,
/// Responses <c>error</c> (<c>{"code","message"}</c>) or <c>response.failed</c> (<c>response.error</c>).
/// </summary>
internal static class InBandError
{
    private const int MaxLength = 500;

    /// <summary>"type: message" (bounded), or null when <paramref name="data"/> is not such an error after all.</summary>
    public static string? Read(ApiFormat format, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            JsonElement error;
            if (format == ApiFormat.Responses)
            {
                error = eventType.SequenceEqual("response.failed"u8)
                    ? root.TryGetProperty("response"u8, out var response) && response.ValueKind == JsonValueKind.Object && response.TryGetProperty("error"u8, out var failed) ? failed : default
                    : root;
            }
            else
            {
                error = root.TryGetProperty("error"u8, out var inner) ? inner : default;
            }

            if (error.ValueKind != JsonValueKind.Object)
            {
                return format == ApiFormat.Responses && eventType.SequenceEqual("response.failed"u8) ? "response.failed: (no error given)" : null;
            }

            // A Responses error event's own "type" is just "error": its code says what went wrong.
            var type = (format == ApiFormat.Responses ? Text(error, "code"u8) : null) ?? Text(error, "type"u8) ?? Text(error, "code"u8) ?? "error";
            var message = Text(error, "message"u8) ?? "";
            var said = message.Length == 0 ? type : $"{type}: {message}";
            return said.Length <= MaxLength ? said : string.Concat(said.AsSpan(0, MaxLength - 1), "…");
        }
        catch (JsonException)
        {
            // A malformed error event is still an error event.
            return format == ApiFormat.OpenAI ? null : "error: (unreadable error event)";
        }
    }

    private static string? Text(JsonElement element, ReadOnlySpan<byte> name)
        => element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
