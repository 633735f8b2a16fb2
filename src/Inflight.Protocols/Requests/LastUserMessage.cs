using System.Text;
using System.Text.Json;

namespace Inflight.Protocols.Requests;

/// <summary>
/// The start of the last user message of a request body, for the opt-in content peek (<c>VDM_CAPTURE_CONTENT</c>).
/// Only called when capture is on, so it may parse the body a second time.
/// </summary>
public static class LastUserMessage
{
    /// <summary>
    /// The text of the last <c>user</c> message (Anthropic and Chat <c>messages</c>, Responses <c>input</c>), its text
    /// parts joined by newlines and cut to <paramref name="maxBytes"/> UTF-8 bytes; null when there is none or the body
    /// is not JSON. Tool results and images are not text parts and are left out.
    /// </summary>
    public static string? Read(ApiFormat format, ReadOnlySpan<byte> body, int maxBytes)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var listName = format == ApiFormat.Responses ? "input" : "messages";
            if (!root.TryGetProperty(listName, out var list))
            {
                return null;
            }

            if (list.ValueKind == JsonValueKind.String)
            {
                // Responses: a plain string input is one user message.
                return Cut(list.GetString(), maxBytes);
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            for (var i = list.GetArrayLength() - 1; i >= 0; i--)
            {
                var message = list[i];
                if (message.ValueKind == JsonValueKind.Object
                    && message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.ValueEquals("user"u8)
                    && message.TryGetProperty("content", out var content))
                {
                    return Cut(TextOf(content), maxBytes);
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>A string content, or the <c>text</c> of its <c>text</c> / <c>input_text</c> parts.</summary>
    private static string? TextOf(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        StringBuilder? text = null;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object
                && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && (type.ValueEquals("text"u8) || type.ValueEquals("input_text"u8))
                && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
            {
                text = text is null ? new StringBuilder() : text.Append('\n');
                text.Append(value.GetString());
            }
        }

        return text?.ToString();
    }

    /// <summary>The first <paramref name="maxBytes"/> UTF-8 bytes, never splitting a character.</summary>
    internal static string? Cut(string? text, int maxBytes)
    {
        if (string.IsNullOrEmpty(text) || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return string.IsNullOrEmpty(text) ? null : text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var end = maxBytes;

        // Back off to the start of a character: UTF-8 continuation bytes are 10xxxxxx.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80)
        {
            end--;
        }

        return Encoding.UTF8.GetString(bytes, 0, end);
    }
}
