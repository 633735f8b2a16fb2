using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Inflight.Protocols.Requests;

/// <summary>
/// Reads the few facts the gateway needs from a request body (model, stream flag, message and tool
/// counts) without building an object model of the whole conversation.
/// </summary>
public static class RequestInspector
{
    // A key given twice is ambiguous, at every depth: parsers disagree on which one wins (the router would read one
    // `model`, the provider another), and the translators' object model cannot hold them at all. A 400 on every path.
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    /// <summary>
    /// Throws <see cref="RequestBodyException"/> for a body that is not UTF-8 JSON, has a duplicate key, is not an
    /// object, lacks a model, or has a role or content-block type that is not a string.
    /// </summary>
    public static RequestSummary Inspect(ApiFormat format, ReadOnlyMemory<byte> body, bool requireMessages = true)
    {
        using var document = Parse(body);
        return Inspect(format, document, requireMessages);
    }

    /// <summary>
    /// The body as a <see cref="JsonDocument"/> over its memory (not copied): one parse serves <see cref="Inspect(ApiFormat, JsonDocument, bool)"/>
    /// and the request translator. Throws <see cref="RequestBodyException"/> for a body that is not UTF-8 JSON or has a duplicate key.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        // JSON text is UTF-8 (RFC 8259); the JSON reader itself does not check the bytes inside strings.
        if (!Utf8.IsValid(body.Span))
        {
            throw new RequestBodyException("The request body is not valid UTF-8.");
        }

        try
        {
            return JsonDocument.Parse(body, s_options);
        }
        catch (JsonException ex)
        {
            throw new RequestBodyException($"The request body is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>
    /// <see cref="Parse"/> for a caller that disposes the document with <c>using</c> and reports a bad body where it reports
    /// the inspector's other refusals: null and the reason, e.g. <c>Inspect(format, parsed ?? throw error!)</c>.
    /// </summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> body, out RequestBodyException? error)
    {
        try
        {
            error = null;
            return Parse(body);
        }
        catch (RequestBodyException ex)
        {
            error = ex;
            return null;
        }
    }

    /// <summary>As <see cref="Inspect(ApiFormat, ReadOnlyMemory{byte}, bool)"/>, on a body already parsed by <see cref="Parse"/>.</summary>
    public static RequestSummary Inspect(ApiFormat format, JsonDocument document, bool requireMessages = true)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RequestBodyException("The request body must be a JSON object.");
        }

        if (!root.TryGetProperty("model"u8, out var modelElement) || modelElement.ValueKind != JsonValueKind.String)
        {
            throw new RequestBodyException("'model' is required and must be a non-empty string.");
        }

        var model = ReadString(modelElement, "model");
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new RequestBodyException("'model' is required and must be a non-empty string.");
        }

        int? messageCount = null;
        int toolUses = 0, toolResults = 0;
        long textBytes = 0;
        if (format == ApiFormat.Responses)
        {
            messageCount = CountResponsesInput(root, requireMessages, ref toolUses, ref toolResults, ref textBytes);
        }
        else if (root.TryGetProperty("messages"u8, out var messages))
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

                CheckRole(format, message, index);
                CountMessage(format, message, index++, ref toolUses, ref toolResults, ref textBytes);
            }
        }
        else if (requireMessages)
        {
            throw new RequestBodyException("'messages' is required.");
        }

        if (root.TryGetProperty(format == ApiFormat.Responses ? "instructions"u8 : "system"u8, out var system))
        {
            textBytes += TextBytesOf(system);
        }

        if (root.TryGetProperty("tools"u8, out var tools))
        {
            textBytes += JsonMarshal.GetRawUtf8Value(tools).Length;
        }

        var includeUsage = format == ApiFormat.OpenAI
            && root.TryGetProperty("stream_options"u8, out var streamOptions)
            && streamOptions.ValueKind == JsonValueKind.Object
            && streamOptions.TryGetProperty("include_usage"u8, out var includeUsageElement)
            && includeUsageElement.ValueKind == JsonValueKind.True;

        return new RequestSummary
        {
            Model = model,
            IsStreaming = root.TryGetProperty("stream"u8, out var stream) && stream.ValueKind == JsonValueKind.True,
            MessageCount = messageCount,
            ToolUses = toolUses,
            ToolResults = toolResults,
            IncludeUsageRequested = includeUsage,
            TextBytes = textBytes,
            UserId = ReadUserId(format, root),
            PreviousResponseId = format == ApiFormat.Responses && root.TryGetProperty("previous_response_id"u8, out var previous) && previous.ValueKind == JsonValueKind.String
                ? previous.GetString()
                : null,
        };
    }

    private static string? ReadUserId(ApiFormat format, JsonElement root)
    {
        var found = format == ApiFormat.Anthropic
            ? root.TryGetProperty("metadata"u8, out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("user_id"u8, out var user) ? user : default
            : root.TryGetProperty("user"u8, out var openAIUser) ? openAIUser : default;
        if (found.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var value = found.GetString();
        return string.IsNullOrEmpty(value) ? null : value.Length <= 256 ? value : value[..256];
    }

    /// <summary>
    /// A Responses <c>input</c>: a string (one user message) or an array of items. Items whose type ends in
    /// <c>_call</c> are tool calls already made (<c>function_call</c>, <c>custom_tool_call</c>, ...), those
    /// ending in <c>_call_output</c> are tool results; every item counts as one message.
    /// </summary>
    private static int? CountResponsesInput(JsonElement root, bool requireInput, ref int toolUses, ref int toolResults, ref long textBytes)
    {
        if (!root.TryGetProperty("input"u8, out var input))
        {
            return requireInput ? throw new RequestBodyException("'input' is required.") : null;
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            textBytes += TextBytesOf(input);
            return 1;
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            throw new RequestBodyException("'input' must be a string or an array of input items.");
        }

        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new RequestBodyException("Each entry of 'input' must be an object.");
            }

            CheckResponsesItem(item, index++);
            if (item.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String)
            {
                var raw = JsonMarshal.GetRawUtf8Value(type).Trim((byte)'"');
                if (raw.EndsWith("_call_output"u8))
                {
                    toolResults++;
                }
                else if (raw.EndsWith("_call"u8))
                {
                    toolUses++;
                }
            }

            textBytes += TextBytesOf(item);
        }

        return input.GetArrayLength();
    }

    /// <summary>
    /// The same shapes on every path (pass-through and translation): an item's <c>type</c> is a string, a
    /// message's <c>role</c> is one of the Responses roles, and each content part's <c>type</c> is a string.
    /// </summary>
    private static void CheckResponsesItem(JsonElement item, int index)
    {
        var hasType = item.TryGetProperty("type"u8, out var type);
        if (hasType && type.ValueKind != JsonValueKind.String)
        {
            throw new RequestBodyException($"input[{index}].type: must be a string.");
        }

        var isMessage = !hasType || type.ValueEquals("message"u8);
        if (!isMessage)
        {
            return;
        }

        if (!item.TryGetProperty("role"u8, out var role) || role.ValueKind != JsonValueKind.String
            || !(role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8) || role.ValueEquals("system"u8) || role.ValueEquals("developer"u8)))
        {
            throw new RequestBodyException($"input[{index}].role: must be 'user', 'assistant', 'system' or 'developer'.");
        }

        if (item.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.Array)
        {
            var part = 0;
            foreach (var block in content.EnumerateArray())
            {
                if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type"u8, out var partType) && partType.ValueKind != JsonValueKind.String)
                {
                    throw new RequestBodyException($"input[{index}].content[{part}].type: must be a string.");
                }

                part++;
            }
        }
    }

    /// <summary>
    /// The same roles on every path (pass-through, translation, count_tokens): Anthropic's user, assistant
    /// and the mid-conversation system role Claude Code sends; OpenAI's system, developer, user, assistant,
    /// tool and the deprecated function.
    /// </summary>
    private static void CheckRole(ApiFormat format, JsonElement message, int index)
    {
        var valid = message.TryGetProperty("role"u8, out var role) && role.ValueKind == JsonValueKind.String && (format == ApiFormat.Anthropic
            ? role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8) || role.ValueEquals("system"u8)
            : format != ApiFormat.OpenAI || role.ValueEquals("user"u8) || role.ValueEquals("assistant"u8) || role.ValueEquals("system"u8)
                || role.ValueEquals("developer"u8) || role.ValueEquals("tool"u8) || role.ValueEquals("function"u8));
        if (!valid)
        {
            var got = !message.TryGetProperty("role"u8, out var r) ? "nothing"
                : r.ValueKind != JsonValueKind.String ? r.ValueKind.ToString().ToLowerInvariant()
                : r.GetString() is { Length: > 40 } longRole ? "'" + longRole[..40] + "…'" : "'" + r.GetString() + "'";
            var allowed = format == ApiFormat.Anthropic ? "'user', 'assistant' or 'system'" : "'system', 'developer', 'user', 'assistant' or 'tool'";
            throw new RequestBodyException($"messages.{index}.role: must be {allowed} (got {got}).");
        }
    }

    /// <summary>A string value; an escaped lone surrogate cannot become a .NET string and is the client's error.</summary>
    private static string ReadString(JsonElement element, string name)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new RequestBodyException($"'{name}' is not a valid string (it contains an unpaired surrogate escape).");
        }
    }

    private static void CountMessage(ApiFormat format, JsonElement message, int index, ref int toolUses, ref int toolResults, ref long textBytes)
    {
        // CheckRole ran first: a role present here is a string.
        var hasRole = message.TryGetProperty("role"u8, out var role);
        if (format == ApiFormat.OpenAI)
        {
            if (message.TryGetProperty("tool_calls"u8, out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                toolUses += calls.GetArrayLength();
                textBytes += JsonMarshal.GetRawUtf8Value(calls).Length;
            }

            if (hasRole && role.ValueEquals("tool"u8))
            {
                toolResults++;
            }
        }

        if (!message.TryGetProperty("content"u8, out var content))
        {
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            textBytes += TextBytesOf(content);
            return;
        }

        var blockIndex = 0;
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                blockIndex++;
                continue;
            }

            if (block.TryGetProperty("type"u8, out var type) && type.ValueKind != JsonValueKind.String)
            {
                throw new RequestBodyException($"'messages[{index}].content[{blockIndex}].type' must be a string.");
            }

            blockIndex++;
            if (format == ApiFormat.Anthropic && type.ValueKind == JsonValueKind.String)
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
                // Base64 image and file data is not text tokens (providers bill images separately), nor is encrypted reasoning.
                if (property.NameEquals("data"u8) || property.NameEquals("url"u8)
                    || property.NameEquals("image_url"u8) || property.NameEquals("file_data"u8) || property.NameEquals("encrypted_content"u8))
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
