using System.Runtime.InteropServices;
using System.Text.Json;

namespace Inflight.Protocols.Requests;

/// <summary>
/// Reads the few facts the gateway needs from a request body (model, stream flag, message and tool
/// counts) without building an object model of the whole conversation.
/// </summary>
public static class RequestInspector
{
    // A key given twice is ambiguous (which one did the client mean?): a 400 on every path, as in translation.
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    /// <summary>Throws <see cref="RequestBodyException"/> for malformed JSON, a non-object body or a missing model.</summary>
    public static RequestSummary Inspect(ApiFormat format, ReadOnlyMemory<byte> body, bool requireMessages = true)
    {
        // JsonDocument checks UTF-8 only when a string is read; a body must be valid as a whole.
        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            throw new RequestBodyException("The request body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, s_options);
        }
        catch (JsonException ex)
        {
            throw new RequestBodyException($"The request body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RequestBodyException("The request body must be a JSON object.");
            }

            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
            {
                throw new RequestBodyException("'model' is required and must be a non-empty string.");
            }

            int? messageCount = null;
            int toolUses = 0, toolResults = 0;
            long textBytes = 0;
            if (root.TryGetProperty("messages", out var messages))
            {
                if (messages.ValueKind != JsonValueKind.Array)
                {
                    throw new RequestBodyException("'messages' must be an array.");
                }

                messageCount = messages.GetArrayLength();
                var index = 0;
                foreach (var message in messages.EnumerateArray())
                {
                    if (message.ValueKind != JsonValueKind.Object)
                    {
                        throw new RequestBodyException("Each entry of 'messages' must be an object.");
                    }

                    CheckRole(format, message, index++);

                    CountMessage(format, message, ref toolUses, ref toolResults, ref textBytes);
                }
            }
            else if (requireMessages)
            {
                throw new RequestBodyException("'messages' is required.");
            }

            if (root.TryGetProperty("system", out var system))
            {
                textBytes += TextBytesOf(system);
            }

            if (root.TryGetProperty("tools", out var tools))
            {
                textBytes += JsonMarshal.GetRawUtf8Value(tools).Length;
            }

            var includeUsage = format == ApiFormat.OpenAI
                && root.TryGetProperty("stream_options", out var streamOptions)
                && streamOptions.ValueKind == JsonValueKind.Object
                && streamOptions.TryGetProperty("include_usage", out var includeUsageElement)
                && includeUsageElement.ValueKind == JsonValueKind.True;

            return new RequestSummary
            {
                Model = model.GetString()!,
                IsStreaming = root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
                MessageCount = messageCount,
                ToolUses = toolUses,
                ToolResults = toolResults,
                IncludeUsageRequested = includeUsage,
                TextBytes = textBytes,
                UserId = ReadUserId(format, root),
            };
        }
    }

    private static string? ReadUserId(ApiFormat format, JsonElement root)
    {
        var found = format == ApiFormat.Anthropic
            ? root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("user_id", out var user) ? user : default
            : root.TryGetProperty("user", out var openAIUser) ? openAIUser : default;
        if (found.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var value = found.GetString();
        return string.IsNullOrEmpty(value) ? null : value.Length <= 256 ? value : value[..256];
    }

    /// <summary>
    /// The same roles on every path (pass-through, translation, count_tokens): Anthropic's user, assistant
    /// and the mid-conversation system role Claude Code sends; OpenAI's system, developer, user, assistant,
    /// tool and the deprecated function.
    /// </summary>
    private static void CheckRole(ApiFormat format, JsonElement message, int index)
    {
        var valid = message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && (format == ApiFormat.Anthropic
            ? role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8) || role.ValueEquals("system"u8)
            : format != ApiFormat.OpenAI || role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8) || role.ValueEquals("system"u8)
                || role.ValueEquals("developer"u8) || role.ValueEquals("tool"u8) || role.ValueEquals("function"u8));
        if (!valid)
        {
            var got = !message.TryGetProperty("role", out var r) ? "nothing"
                : r.ValueKind != JsonValueKind.String ? r.ValueKind.ToString().ToLowerInvariant()
                : r.GetString() is { Length: > 40 } longRole ? "'" + longRole[..40] + "…'" : "'" + r.GetString() + "'";
            var allowed = format == ApiFormat.Anthropic ? "'user', 'assistant' or 'system'" : "'system', 'developer', 'user', 'assistant' or 'tool'";
            throw new RequestBodyException($"messages.{index}.role: must be {allowed} (got {got}).");
        }
    }

    private static void CountMessage(ApiFormat format, JsonElement message, ref int toolUses, ref int toolResults, ref long textBytes)
    {
        if (format == ApiFormat.OpenAI)
        {
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                toolUses += calls.GetArrayLength();
                textBytes += JsonMarshal.GetRawUtf8Value(calls).Length;
            }

            if (message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.ValueEquals("tool"u8))
            {
                toolResults++;
            }
        }

        if (!message.TryGetProperty("content", out var content))
        {
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            textBytes += TextBytesOf(content);
            return;
        }

        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (format == ApiFormat.Anthropic && block.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                if (type.ValueEquals("tool_use"u8))
                {
                    toolUses++;
                }
                else if (type.ValueEquals("tool_result"u8))
                {
                    toolResults++;
                }
            }

            textBytes += TextBytesOf(block);
        }
    }

    private static long TextBytesOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => JsonMarshal.GetRawUtf8Value(element).Length,
        JsonValueKind.Array or JsonValueKind.Object => SumText(element),
        _ => 0,
    };

    private static long SumText(JsonElement element)
    {
        long total = 0;
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                total += SumText(item);
            }
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                // Base64 image data is not text tokens; providers bill images separately.
                if (property.NameEquals("data"u8) || property.NameEquals("url"u8))
                {
                    continue;
                }

                total += SumText(property.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            // Raw (still escaped) UTF-8 length: close enough for an estimate, and no string is allocated.
            total += JsonMarshal.GetRawUtf8Value(element).Length;
        }

        return total;
    }
}
