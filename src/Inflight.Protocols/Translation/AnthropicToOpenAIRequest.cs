using System.Collections.Frozen;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Anthropic Messages request (<c>POST /v1/messages</c>) → OpenAI Chat Completions request
/// (<c>POST /v1/chat/completions</c>). Every top-level field is in <see cref="Fields"/>: translated,
/// dropped and noted on the context, or refused with a 400 that names it. A body of the wrong shape
/// (a string where an object belongs, an unknown role or block type) is a <see cref="TranslationException"/>.
/// </summary>
public static class AnthropicToOpenAIRequest
{
    /// <summary>Prefix that marks a tool result Anthropic flagged with <c>is_error</c>; OpenAI tool messages have no such flag.</summary>
    internal const string ToolErrorPrefix = "[tool error] ";

    /// <summary>Chat Completions accepts at most four stop sequences.</summary>
    internal const int MaxStopSequences = 4;

    /// <summary>Tool lists translated before, by their bytes: Claude Code resends the same definitions on every turn.</summary>
    internal static readonly ToolListCache ToolLists = new(ToolListCache.DefaultCapacity);

    private const string CacheControl = "cache_control";
    private const string DeferLoading = "tools[].defer_loading";
    private const string InputExamples = "tools[].input_examples";

    /// <summary>The shared tool-list cache's figures (<c>/health</c>).</summary>
    public static CacheStats ToolListCacheStats => ToolLists.Stats;

    /// <summary>The policy for every top-level Anthropic field; a field not listed is dropped and noted.</summary>
    internal static readonly FrozenDictionary<string, FieldPolicy> Fields = new Dictionary<string, FieldPolicy>
    {
        ["model"] = FieldPolicy.Translated("replaced by the routed model"),
        ["messages"] = FieldPolicy.Translated("messages; role system (mid-conversation) stays a system message at its position"),
        ["system"] = FieldPolicy.Translated("a leading system message"),
        ["max_tokens"] = FieldPolicy.Translated("max_tokens, or max_completion_tokens for reasoning models; clamped to the model's output limit"),
        ["temperature"] = FieldPolicy.Translated("temperature; dropped for reasoning models, which take only the default"),
        ["top_p"] = FieldPolicy.Translated("top_p; dropped for reasoning models"),
        ["stop_sequences"] = FieldPolicy.Translated("stop, trimmed to OpenAI's four"),
        ["stream"] = FieldPolicy.Translated("stream with stream_options.include_usage"),
        ["metadata"] = FieldPolicy.Translated("metadata.user_id → user (hashed when over 64 characters)"),
        ["tools"] = FieldPolicy.Translated("function tools (strict kept); server tools dropped"),
        ["tool_choice"] = FieldPolicy.Translated("auto/required/none/function; a choice naming a dropped tool is downgraded to auto"),
        ["thinking"] = FieldPolicy.Translated("reasoning_effort for reasoning models (adaptive follows output_config.effort, enabled maps its budget)"),
        ["output_config"] = FieldPolicy.Translated("effort → reasoning_effort; format → response_format json_schema"),
        ["output_format"] = FieldPolicy.Translated("response_format json_schema (the structured-outputs beta's name for output_config.format)"),
        ["top_k"] = FieldPolicy.Dropped("Chat Completions has no top_k"),
        ["context_management"] = FieldPolicy.Dropped("server-side context editing; the provider keeps the whole context instead"),
        ["service_tier"] = FieldPolicy.Dropped("Anthropic capacity tiers mean nothing to another provider"),
        ["container"] = FieldPolicy.Dropped("only used by Anthropic's server tools, which are dropped"),
        ["inference_geo"] = FieldPolicy.Dropped("Anthropic data residency"),
        ["mcp_servers"] = FieldPolicy.Refused("remote MCP tools run on Anthropic's side; without them the model would answer without its tools"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Translates in one pass over the parsed body (a <see cref="JsonDocument"/> over the caller's memory, not copied)
    /// into a pooled buffer: tool schemas, texts and tool inputs are copied value by value, never built into an object
    /// model, and as their raw bytes when those are what the writer would write (<see cref="WrittenAsIs"/>). Returns the
    /// only per-request array the size of the body: the output.
    /// </summary>
    public static byte[] Translate(ReadOnlyMemory<byte> anthropicJson, TranslationContext ctx)
    {
        using var doc = JsonInput.ParseObject(anthropicJson, "request body");
        return Translate(doc.RootElement, ctx);
    }

    /// <summary>As <see cref="Translate(ReadOnlyMemory{byte}, TranslationContext)"/> on a body the gateway already parsed: one parse serves inspection and translation.</summary>
    public static byte[] Translate(JsonElement request, TranslationContext ctx) => TranslatedBody.ToArray(request, ctx, Translate);

    /// <summary>As <see cref="Translate(JsonElement, TranslationContext)"/>, into pooled memory the caller owns (the gateway sends it from there).</summary>
    public static void Translate(JsonElement request, TranslationContext ctx, PooledBufferWriter output) => WriteTo(request, output, ctx, ToolLists);

    /// <summary>As <see cref="Translate(JsonElement, TranslationContext, PooledBufferWriter)"/> with tool lists from <paramref name="toolLists"/> (tests).</summary>
    internal static void Translate(JsonElement request, TranslationContext ctx, PooledBufferWriter output, ToolListCache toolLists) => WriteTo(request, output, ctx, toolLists);

    /// <summary>Whether the body would translate (a <see cref="TranslationException"/> if not), keeping no output: what count_tokens checks.</summary>
    public static void Check(JsonElement request, TranslationContext ctx)
    {
        using var output = new PooledBufferWriter(TranslatedBody.InitialCapacity(request));
        WriteTo(request, output, ctx, ToolLists);
    }

    private static void WriteTo(JsonElement request, PooledBufferWriter output, TranslationContext ctx, ToolListCache toolLists)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "The request body must be a JSON object.");
        }

        using var writer = new Utf8JsonWriter(output, JsonOutput.WriterOptions);
        Write(request, writer, ctx, toolLists);
    }

    private static void Write(JsonElement request, Utf8JsonWriter w, TranslationContext ctx, ToolListCache toolLists)
    {
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        w.WriteStartObject();
        w.WriteString("model"u8, ctx.Model);
        w.WritePropertyName("messages"u8);
        w.WriteStartArray();

        if (request.Prop("system"u8) is { } system)
        {
            WriteSystemMessage(system, "system", skipEmpty: true, w, ctx);
        }

        if (request.Prop("messages"u8) is not { ValueKind: JsonValueKind.Array } inputMessages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        var i = 0;
        foreach (var message in inputMessages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"messages.{i}: each message must be an object.");
            }

            var role = message.Prop("role"u8);
            if (role.Is("assistant"u8))
            {
                AddAssistant(message.Prop("content"u8), i, w, ctx);
            }
            else if (role.Is("user"u8))
            {
                AddUser(message.Prop("content"u8), i, w, ctx);
            }
            else if (role.Is("system"u8))
            {
                // Claude Code's mid-conversation system turns (beta mid-conversation-system-2026-04-07): a system message where it stands.
                WriteSystemMessage(message.Prop("content"u8), $"messages.{i}.content", skipEmpty: false, w, ctx);
            }
            else
            {
                throw new TranslationException(400, $"messages.{i}.role: must be 'user', 'assistant' or 'system' (got {JsonInput.Describe(role)}).");
            }

            i++;
        }

        w.WriteEndArray();

        var toolList = request.Prop("tools"u8) is { } toolsNode ? WriteToolList(toolsNode, toolLists, w, ctx) : null;

        // OpenAI rejects tool_choice / parallel_tool_calls without tools: they are checked, and written only with tools.
        var hasTools = toolList is { Sent.Count: > 0 };
        foreach (var property in request.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value.NotNull();
            switch (name)
            {
                case "model" or "system" or "messages" or "tools" or "thinking" or "output_config" or "output_format":
                    break; // handled before or after the loop
                case "max_tokens":
                    if (value.AsLong() is not { } maxTokens || maxTokens < 1)
                    {
                        throw new TranslationException(400, "max_tokens: must be a positive integer.");
                    }

                    w.WriteNumber(reasoningModel ? "max_completion_tokens" : "max_tokens", OutputLimits.Clamp("max_tokens", maxTokens, ctx));
                    break;
                case "temperature" or "top_p":
                    // Reasoning models accept only the default sampling (OpenAI reference: "not supported with reasoning models").
                    if (reasoningModel)
                    {
                        ctx.Drop($"{name} (reasoning model {ctx.Model} takes only the default)");
                    }
                    else if (value is not null)
                    {
                        w.WriteNumber(name, value.AsDouble() ?? throw new TranslationException(400, $"{name}: must be a number."));
                    }

                    break;
                case "stop_sequences":
                    WriteStop(value, w, ctx);
                    break;
                case "stream":
                    if (value.AsBool() == true)
                    {
                        ctx.ClientStream = true;
                        w.WriteBoolean("stream"u8, true);

                        // Without it OpenAI sends no usage at all in a stream; the Anthropic client needs it for message_delta.
                        w.WriteStartObject("stream_options"u8);
                        w.WriteBoolean("include_usage"u8, true);
                        w.WriteEndObject();
                    }

                    break;
                case "metadata":
                    if (value.Prop("user_id"u8).AsString() is { } user)
                    {
                        w.WriteString("user"u8, OpenAIUser(user, ctx));
                    }

                    break;
                case "tool_choice":
                    if (value is { } choice)
                    {
                        WriteToolChoice(choice, toolList, hasTools ? w : null, ctx);
                    }

                    break;
                default:
                    if (Fields.TryGetValue(name, out var policy) && policy.Rule == FieldRule.Refused)
                    {
                        throw new TranslationException(400, $"{name}: not supported by this model's provider ({policy.Why}).");
                    }

                    if (value is not null)
                    {
                        ctx.Drop(name);
                    }

                    break;
            }
        }

        WriteEffort(request, reasoningModel, w, ctx);
        WriteFormat(request, w);
        w.WriteEndObject();
    }

    /// <summary>
    /// OpenAI rejects a <c>user</c> over 64 characters (string_above_max_length); Claude Code's user_id is longer. A longer id becomes its
    /// SHA-256 in hex (64 characters): still stable per user, which is all the field is for.
    /// </summary>
    internal static string OpenAIUser(string userId, TranslationContext ctx, string field = "metadata.user_id")
    {
        if (userId.Length <= 64)
        {
            return userId;
        }

        ctx.Note($"{field} → user (SHA-256, over 64 characters)");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
    }

    private static void WriteStop(JsonElement? value, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (value is not { } stops)
        {
            return;
        }

        if (stops.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(400, "stop_sequences: must be an array of strings.");
        }

        // Checked up to OpenAI's limit first (later entries are cut unread), then written.
        var kept = 0;
        foreach (var stop in stops.EnumerateArray())
        {
            if (stop.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException(400, "stop_sequences: must be an array of strings.");
            }

            if (kept == MaxStopSequences)
            {
                ctx.Note($"stop_sequences trimmed from {stops.GetArrayLength()} to {MaxStopSequences} (OpenAI's limit)");
                break;
            }

            kept++;
        }

        if (kept == 0)
        {
            return;
        }

        w.WriteStartArray("stop"u8);
        foreach (var stop in stops.EnumerateArray())
        {
            if (kept-- == 0)
            {
                break;
            }

            WrittenAsIs.Write(stop, w);
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// A system prompt or system message (a string or text blocks, joined; cache_control is ignored, noted) as a system
    /// message; absent content is an empty one. The top-level prompt writes nothing when empty.
    /// </summary>
    private static void WriteSystemMessage(JsonElement? system, string path, bool skipEmpty, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (system is null or { ValueKind: JsonValueKind.String })
        {
            if (skipEmpty && (system is null || system.Value.IsEmptyString()))
            {
                return;
            }

            w.WriteStartObject();
            w.WriteString("role"u8, "system"u8);
            w.WritePropertyName("content"u8);
            if (system is { } s)
            {
                WrittenAsIs.Write(s, w);
            }
            else
            {
                w.WriteStringValue("");
            }

            w.WriteEndObject();
            return;
        }

        if (system.Value.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(400, $"{path}: must be a string or an array of text blocks.");
        }

        using var text = new EscapedText();
        var i = 0;
        foreach (var block in system.Value.EnumerateArray())
        {
            var b = block.NotNull();
            if (!b.Prop("type"u8).Is("text"u8) || b.Prop("text"u8) is not { ValueKind: JsonValueKind.String } blockText)
            {
                throw new TranslationException(400, $"{path}.{i}: system content must be text blocks (got {JsonInput.Describe(b.Prop("type"u8) ?? b)}).");
            }

            text.Paragraph().Append(blockText);
            NoteCacheControl(b, ctx);
            i++;
        }

        if (skipEmpty && text.IsEmpty)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("role"u8, "system"u8);
        w.WritePropertyName("content"u8);
        text.WriteTo(w);
        w.WriteEndObject();
    }

    /// <summary>Prompt caching is the provider's business (OpenAI caches automatically): the marker is dropped.</summary>
    private static void NoteCacheControl(JsonElement? block, TranslationContext ctx)
    {
        if (block.Prop("cache_control"u8) is not null)
        {
            ctx.Drop(CacheControl);
        }
    }

    private static JsonElement Blocks(JsonElement? content, int index)
        => content is { ValueKind: JsonValueKind.Array } blocks ? blocks : throw new TranslationException(400, $"messages.{index}.content: content must be a string or an array of content blocks.");

    private static string BlockPath(int index, int block) => $"messages.{index}.content.{block}";

    /// <summary>
    /// A user turn. tool_result blocks become "tool" messages, which OpenAI requires right after the assistant message that
    /// holds the tool_calls; the rest of the user turn follows them. The first pass checks every block in order and writes
    /// the tool messages; the second writes the user message from the same blocks.
    /// </summary>
    private static void AddUser(JsonElement? content, int index, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (content is { ValueKind: JsonValueKind.String } text)
        {
            w.WriteStartObject();
            w.WriteString("role"u8, "user"u8);
            w.WritePropertyName("content"u8);
            WrittenAsIs.Write(text, w);
            w.WriteEndObject();
            return;
        }

        var blocks = Blocks(content, index);
        var parts = 0;
        var allText = true;
        var i = 0;
        foreach (var item in blocks.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"{BlockPath(index, i)}: each content block must be an object.");
            }

            JsonElement? b = item;
            NoteCacheControl(b, ctx);
            var type = b.Prop("type"u8);
            if (type.Is("text"u8))
            {
                _ = TextOf(b, index, i);
                parts++;
            }
            else if (type.Is("image"u8))
            {
                ImagePart(b, BlockPath(index, i), null);
                parts++;
                allText = false;
            }
            else if (type.Is("tool_result"u8))
            {
                WriteToolResult(b, BlockPath(index, i), w, ctx, ref parts, ref allText);
            }
            else if (type.Is("document"u8))
            {
                allText &= DocumentPart(b, BlockPath(index, i), null, null);
                parts++;
            }
            else
            {
                throw new TranslationException(400, $"{BlockPath(index, i)}.type: {JsonInput.Describe(type)} is not a user content block this model's provider can take (text, image, document, tool_result).");
            }

            i++;
        }

        if (parts == 0)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("role"u8, "user"u8);
        w.WritePropertyName("content"u8);
        if (allText)
        {
            // A text-only turn is sent as a plain string: the widest-supported form among OpenAI-compatible servers.
            using var joined = new EscapedText();
            WriteUserParts(blocks, null, joined);
            joined.WriteTo(w);
        }
        else
        {
            w.WriteStartArray();
            WriteUserParts(blocks, w, null);
            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>The parts of a checked user turn: as content parts into <paramref name="w"/>, or (all text) joined into <paramref name="joined"/>.</summary>
    private static void WriteUserParts(JsonElement blocks, Utf8JsonWriter? w, EscapedText? joined)
    {
        foreach (var item in blocks.EnumerateArray())
        {
            JsonElement? b = item;
            var type = b.Prop("type"u8);
            if (type.Is("text"u8))
            {
                WriteTextPart(b.Prop("text"u8)!.Value, w, joined);
            }
            else if (type.Is("image"u8))
            {
                ImagePart(b, "", w);
            }
            else if (type.Is("document"u8))
            {
                DocumentPart(b, "", w, joined);
            }
            else if (type.Is("tool_result"u8) && b.Prop("content"u8) is { ValueKind: JsonValueKind.Array } results)
            {
                // OpenAI tool messages carry text only; images and documents a tool returned go in the user turn that follows.
                var id = b.Prop("tool_use_id"u8).AsString();
                foreach (var result in results.EnumerateArray())
                {
                    JsonElement? r = result;
                    var resultType = r.Prop("type"u8);
                    if (resultType.Is("image"u8))
                    {
                        WriteTextPart($"(image returned by tool call {id})", w, joined);
                        ImagePart(r, "", w);
                    }
                    else if (resultType.Is("document"u8))
                    {
                        WriteTextPart($"(document returned by tool call {id})", w, joined);
                        DocumentPart(r, "", w, joined);
                    }
                }
            }
        }
    }

    private static void WriteTextPart(JsonElement text, Utf8JsonWriter? w, EscapedText? joined)
    {
        if (joined is not null)
        {
            joined.Paragraph().Append(text);
            return;
        }

        w!.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WritePropertyName("text"u8);
        WrittenAsIs.Write(text, w);
        w.WriteEndObject();
    }

    private static void WriteTextPart(string text, Utf8JsonWriter? w, EscapedText? joined)
    {
        if (joined is not null)
        {
            joined.Paragraph().Append(text);
            return;
        }

        w!.WriteStartObject();
        w.WriteString("type"u8, "text"u8);
        w.WriteString("text"u8, text);
        w.WriteEndObject();
    }

    private static JsonElement TextOf(JsonElement? block, int index, int i)
        => block.Prop("text"u8) is { ValueKind: JsonValueKind.String } text ? text : throw new TranslationException(400, $"{BlockPath(index, i)}.text: must be a string.");

    /// <summary>A tool_result block as a "tool" message; counts the user-turn parts its images and documents become.</summary>
    private static void WriteToolResult(JsonElement? block, string path, Utf8JsonWriter w, TranslationContext ctx, ref int parts, ref bool allText)
    {
        var id = block.Prop("tool_use_id"u8) is { ValueKind: JsonValueKind.String } idValue ? idValue : throw new TranslationException(400, $"{path}.tool_use_id: must be a string.");
        using var text = new EscapedText();
        if (block.Prop("is_error"u8).AsBool() == true)
        {
            text.Append(ToolErrorPrefix);
        }

        var content = block.Prop("content"u8);
        if (content is { ValueKind: JsonValueKind.String } s)
        {
            text.Append(s);
        }
        else if (content is { ValueKind: JsonValueKind.Array } items)
        {
            var first = true;
            var i = 0;
            foreach (var entry in items.EnumerateArray())
            {
                var itemPath = $"{path}.content.{i}";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException(400, $"{itemPath}: each content block must be an object.");
                }

                JsonElement? item = entry;
                NoteCacheControl(item, ctx);
                var type = item.Prop("type"u8);
                if (type.Is("text"u8))
                {
                    if (!first)
                    {
                        text.Append("\n\n");
                    }

                    text.Append(item.Prop("text"u8) is { ValueKind: JsonValueKind.String } itemText ? itemText : throw new TranslationException(400, $"{itemPath}.text: must be a string."));
                    first = false;
                }
                else if (type.Is("image"u8))
                {
                    ImagePart(item, itemPath, null);
                    parts += 2;
                    allText = false;
                }
                else if (type.Is("document"u8))
                {
                    allText &= DocumentPart(item, itemPath, null, null);
                    parts += 2;
                }
                else if (type.Is("tool_reference"u8))
                {
                    // Tool search (defer_loading) results: every tool is already loaded upstream, so say which one was found.
                    if (!first)
                    {
                        text.Append("\n\n");
                    }

                    text.Append("Tool loaded: ");
                    if (item.Prop("tool_name"u8) is { ValueKind: JsonValueKind.String } toolName)
                    {
                        text.Append(toolName);
                    }

                    first = false;
                    ctx.Note("tool_reference → text (tools are always loaded upstream)");
                }
                else
                {
                    throw new TranslationException(400, $"{itemPath}.type: {JsonInput.Describe(type)} is not a tool_result content block this model's provider can take (text, image, document).");
                }

                i++;
            }
        }
        else if (content is not null)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content blocks.");
        }

        w.WriteStartObject();
        w.WriteString("role"u8, "tool"u8);
        w.WritePropertyName("tool_call_id"u8);
        WrittenAsIs.Write(id, w);
        w.WritePropertyName("content"u8);
        text.WriteTo(w);
        w.WriteEndObject();
    }

    /// <summary>
    /// A base64 PDF becomes a Chat Completions <c>file</c> part (data URL), a plain-text document a text
    /// part. Other sources (file ids, URL PDFs, content documents) have no counterpart: dropping them would
    /// make the model answer about a document it never saw, so they are refused. Checks only when both
    /// <paramref name="w"/> and <paramref name="joined"/> are null; returns whether the part is text.
    /// </summary>
    private static bool DocumentPart(JsonElement? block, string path, Utf8JsonWriter? w, EscapedText? joined)
    {
        var source = block.Prop("source"u8);
        var type = source.Prop("type"u8);
        if (type.Is("base64") && source.Prop("media_type"u8).Is("application/pdf"u8) && source.Prop("data"u8) is { ValueKind: JsonValueKind.String } data)
        {
            if (w is not null)
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "file"u8);
                w.WriteStartObject("file"u8);
                w.WritePropertyName("filename"u8);
                if (block.Prop("title"u8) is { ValueKind: JsonValueKind.String } title)
                {
                    WrittenAsIs.Write(title, w);
                }
                else
                {
                    w.WriteStringValue("document.pdf");
                }

                using var url = new EscapedText();
                w.WritePropertyName("file_data"u8);
                url.Append("data:application/pdf;base64,").Append(data).WriteTo(w);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            return false;
        }

        if (type.Is("text"u8) && source.Prop("data"u8) is { ValueKind: JsonValueKind.String } text)
        {
            if (w is not null || joined is not null)
            {
                WriteTextPart(text, w, joined);
            }

            return true;
        }

        throw new TranslationException(400, $"{path}.source: a document from source type {JsonInput.Describe(type ?? source)} cannot be sent to this model's provider (only base64 PDFs and plain text can).");
    }

    /// <summary>An image block as an <c>image_url</c> part (a data URL for base64); checks only when <paramref name="w"/> is null.</summary>
    private static void ImagePart(JsonElement? block, string path, Utf8JsonWriter? w)
    {
        var source = block.Prop("source"u8);
        var type = source.Prop("type"u8);
        if (type.Is("base64") && source.Prop("media_type"u8) is { ValueKind: JsonValueKind.String } mediaType && source.Prop("data"u8) is { ValueKind: JsonValueKind.String } data)
        {
            if (w is not null)
            {
                using var url = new EscapedText();
                url.Append("data:").Append(mediaType).Append(";base64,").Append(data);
                WriteImagePart(url, null, w);
            }

            return;
        }

        if (type.Is("url"u8) && source.Prop("url"u8) is { ValueKind: JsonValueKind.String } link)
        {
            if (w is not null)
            {
                WriteImagePart(null, link, w);
            }

            return;
        }

        throw new TranslationException(400, $"{path}.source: an image from source type {JsonInput.Describe(type ?? source)} cannot be sent to this model's provider (only base64 and url images can).");
    }

    private static void WriteImagePart(EscapedText? url, JsonElement? link, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "image_url"u8);
        w.WriteStartObject("image_url"u8);
        w.WritePropertyName("url"u8);
        if (url is not null)
        {
            url.WriteTo(w);
        }
        else
        {
            WrittenAsIs.Write(link!.Value, w);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void AddAssistant(JsonElement? content, int index, Utf8JsonWriter w, TranslationContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("role"u8, "assistant"u8);
        if (content is { ValueKind: JsonValueKind.String } text)
        {
            w.WritePropertyName("content"u8);
            WrittenAsIs.Write(text, w);
            w.WriteEndObject();
            return;
        }

        var blocks = Blocks(content, index);
        using var joined = new EscapedText();
        var toolCalls = 0;
        var i = 0;
        foreach (var item in blocks.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"{BlockPath(index, i)}: each content block must be an object.");
            }

            JsonElement? block = item;
            NoteCacheControl(block, ctx);
            var type = block.Prop("type"u8);
            if (type.Is("text"u8))
            {
                // Separate blocks stay separate paragraphs; run together they would read as one garbled sentence.
                joined.Paragraph().Append(TextOf(block, index, i));
            }
            else if (type.Is("tool_use"u8))
            {
                CheckToolUse(block, BlockPath(index, i));
                toolCalls++;
            }
            else if (type.Is("thinking"u8) || type.Is("redacted_thinking"u8))
            {
                // Chat Completions has no way to send prior reasoning back; the model reasons afresh.
                ctx.Drop("assistant thinking blocks");
            }
            else if (type.AsString() is "server_tool_use" or "web_search_tool_result" or "web_fetch_tool_result" or "code_execution_tool_result" or "mcp_tool_use" or "mcp_tool_result")
            {
                // Calls and results of tools that ran on Anthropic's side: no OpenAI tool call matches them.
                ctx.Drop($"assistant {type.AsString()} blocks");
            }
            else
            {
                throw new TranslationException(400, $"{BlockPath(index, i)}.type: {JsonInput.Describe(type)} is not an assistant content block (text, tool_use, thinking).");
            }

            i++;
        }

        // OpenAI wants content or tool_calls on an assistant message; an all-dropped turn keeps an empty text.
        w.WritePropertyName("content"u8);
        if (!joined.IsEmpty || toolCalls == 0)
        {
            joined.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }

        if (toolCalls > 0)
        {
            w.WriteStartArray("tool_calls"u8);
            using var arguments = new PooledBufferWriter(1024);
            foreach (var item in blocks.EnumerateArray())
            {
                if (((JsonElement?)item).Prop("type"u8).Is("tool_use"u8))
                {
                    WriteToolCall(item, arguments, w);
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void CheckToolUse(JsonElement? block, string path)
    {
        if (!block.Prop("id"u8).IsString() || !block.Prop("name"u8).IsString())
        {
            throw new TranslationException(400, $"{path}: a tool_use block needs a string id and name.");
        }
    }

    /// <summary>A checked tool_use block as a tool_calls entry, its input as compact JSON text in <c>arguments</c> (as <see cref="ToolCall"/>).</summary>
    private static void WriteToolCall(JsonElement block, PooledBufferWriter scratch, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WritePropertyName("id"u8);
        WrittenAsIs.Write(block.GetProperty("id"), w);
        w.WriteString("type"u8, "function"u8);
        w.WriteStartObject("function"u8);
        w.WritePropertyName("name"u8);
        WrittenAsIs.Write(block.GetProperty("name"), w);
        var input = block.Prop("input"u8);
        var raw = input is { } value ? JsonMarshal.GetRawUtf8Value(value) : default;
        if (input is null)
        {
            w.WriteString("arguments"u8, "{}"u8);
        }
        else if (WrittenAsIs.Is(raw))
        {
            // The input's own bytes are already the compact JSON text it would be written as.
            w.WriteString("arguments"u8, raw);
        }
        else
        {
            scratch.Clear();
            using (var arguments = new Utf8JsonWriter(scratch, JsonOutput.WriterOptions))
            {
                input.Value.WriteTo(arguments);
            }

            w.WriteString("arguments"u8, scratch.WrittenSpan);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// An Anthropic <c>tool_use</c> block as an OpenAI <c>tool_calls</c> entry: the input object becomes
    /// the compact JSON text of <c>function.arguments</c>. Shared with <see cref="AnthropicToOpenAIResponse"/>,
    /// so a tool call reads the same whether it is sent upstream or answered to the client.
    /// </summary>
    internal static JsonObject ToolCall(JsonNode block, string path = "content")
    {
        if (block.Prop("id").AsString() is not { } id || block.Prop("name").AsString() is not { } name)
        {
            throw new TranslationException(400, $"{path}: a tool_use block needs a string id and name.");
        }

        return new JsonObject
        {
            ["id"] = id,
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = name,
                ["arguments"] = JsonOutput.ToCompactString(block.Prop("input")),
            },
        };
    }

    /// <summary>
    /// Writes the request's tool list (as <c>"tools"</c>, only when a tool is sent), from <paramref name="toolLists"/> when
    /// these exact bytes were translated before; what translating it dropped is noted on <paramref name="ctx"/> either way,
    /// in the same order. A list too large to keep is translated straight into the request, as before the cache.
    /// </summary>
    private static TranslatedToolList WriteToolList(JsonElement toolsNode, ToolListCache toolLists, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (toolsNode.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(400, "tools: must be an array of tools.");
        }

        var source = JsonMarshal.GetRawUtf8Value(toolsNode);
        if (source.Length > ToolListCache.MaxListBytes)
        {
            var (sentNow, droppedNow) = WriteTools(toolsNode, w, ctx.Drop);
            return new TranslatedToolList { Source = null, Json = null, Sent = sentNow, Dropped = droppedNow, Drops = [] };
        }

        var key = ctx.ToolListKey(source.Length) ?? ToolListCache.Key(source);
        if (!toolLists.TryGet(source, key, out var list))
        {
            list = TranslateTools(toolsNode, source);
            toolLists.Add(key, list);
        }

        foreach (var drop in list.Drops)
        {
            ctx.Drop(drop);
        }

        if (list.Json is { } json)
        {
            w.WritePropertyName("tools"u8);
            w.WriteRawValue(json, skipInputValidation: true);
        }

        return list;
    }

    /// <summary>A tool list translated to be kept: its array as the request would carry it, and what it dropped.</summary>
    private static TranslatedToolList TranslateTools(JsonElement toolsNode, ReadOnlySpan<byte> source)
    {
        var drops = new List<string>();
        using var output = new PooledBufferWriter(source.Length + 256);
        HashSet<string> sent, dropped;
        using (var w = new Utf8JsonWriter(output, JsonOutput.WriterOptions))
        {
            // Inside an object of its own, exactly as into a request: {"tools":[…]}, or {} when no tool is sent.
            w.WriteStartObject();
            (sent, dropped) = WriteTools(toolsNode, w, what =>
            {
                // As TranslationContext.Drop skips the same field again: one entry per run of repeats.
                if (drops.Count == 0 || !ReferenceEquals(drops[^1], what))
                {
                    drops.Add(what);
                }
            });
            w.WriteEndObject();
        }

        var written = output.WrittenSpan;
        Debug.Assert(sent.Count == 0 || written.StartsWith(ToolsMember), "the array follows the member name");
        return new TranslatedToolList
        {
            Source = source.ToArray(),
            Json = sent.Count > 0 ? written[ToolsMember.Length..^1].ToArray() : null,
            Sent = sent,
            Dropped = dropped,
            Drops = drops,
        };
    }

    private static ReadOnlySpan<byte> ToolsMember => "{\"tools\":"u8;

    /// <summary>Writes <c>"tools"</c> (only when a tool is sent): custom tools as functions, server tools dropped.</summary>
    private static (HashSet<string> Sent, HashSet<string> Dropped) WriteTools(JsonElement toolsNode, Utf8JsonWriter w, Action<string> drop)
    {
        var sent = new HashSet<string>(StringComparer.Ordinal);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var tool in toolsNode.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"tools.{i}: each tool must be an object.");
            }

            JsonElement? t = tool;
            var name = t.Prop("name"u8).AsString() ?? throw new TranslationException(400, $"tools.{i}.name: must be a string.");

            // Custom tools have no type or "custom"; typed ones (bash_20250124, web_search_…) run on Anthropic's side.
            var type = t.Prop("type"u8);
            if (type.IsString() && !type.Is("custom"u8))
            {
                drop($"server tool {type.AsString()}");
                dropped.Add(name);
                i++;
                continue;
            }

            var schema = t.Prop("input_schema"u8);
            if (schema is not null && !schema.IsObject())
            {
                throw new TranslationException(400, $"tools.{i}.input_schema: must be a JSON Schema object.");
            }

            if (t.Prop("cache_control"u8) is not null)
            {
                drop(CacheControl);
            }

            if (t.Prop("defer_loading"u8).AsBool() == true)
            {
                // Tool search is Anthropic's; upstream every tool is in the prompt from the start.
                drop(DeferLoading);
            }

            if (t.Prop("input_examples"u8) is not null)
            {
                drop(InputExamples);
            }

            if (sent.Count == 0)
            {
                w.WriteStartArray("tools"u8);
            }

            sent.Add(name);
            w.WriteStartObject();
            w.WriteString("type"u8, "function"u8);
            w.WriteStartObject("function"u8);
            w.WriteString("name"u8, name);
            if (t.Prop("description"u8) is { ValueKind: JsonValueKind.String } description)
            {
                w.WritePropertyName("description"u8);
                WrittenAsIs.Write(description, w);
            }

            w.WritePropertyName("parameters"u8);
            WrittenAsIs.WriteSchema(schema, w);

            if (t.Prop("strict"u8).AsBool() is { } strict)
            {
                w.WriteBoolean("strict"u8, strict);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            i++;
        }

        if (sent.Count > 0)
        {
            w.WriteEndArray();
        }

        return (sent, dropped);
    }

    /// <summary>Checks tool_choice, and writes it when <paramref name="w"/> is given (only when tools are sent).</summary>
    private static void WriteToolChoice(JsonElement choice, TranslatedToolList? tools, Utf8JsonWriter? w, TranslationContext ctx)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "tool_choice: must be an object such as {\"type\": \"auto\"}.");
        }

        var typeValue = choice.Prop("type"u8);
        var type = typeValue.AsString();
        switch (type)
        {
            case "auto":
                w?.WriteString("tool_choice", "auto");
                break;
            case "any":
                w?.WriteString("tool_choice", "required");
                break;
            case "none":
                w?.WriteString("tool_choice", "none");
                break;
            case "tool":
                var name = choice.Prop("name"u8).AsString() ?? throw new TranslationException(400, "tool_choice.name: must be a string when type is 'tool'.");
                if (tools is null || tools.Dropped.Contains(name) || !tools.Sent.Contains(name))
                {
                    // Naming a tool the upstream never sees would be rejected there; let the model choose instead.
                    ctx.Note($"tool_choice {name} → auto (the tool was not sent upstream)");
                    w?.WriteString("tool_choice", "auto");
                }
                else if (w is not null)
                {
                    w.WriteStartObject("tool_choice"u8);
                    w.WriteString("type"u8, "function"u8);
                    w.WriteStartObject("function"u8);
                    w.WriteString("name"u8, name);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                break;
            default:
                throw new TranslationException(400, $"tool_choice.type: must be 'auto', 'any', 'tool' or 'none' (got {JsonInput.Describe(typeValue)}).");
        }

        if (choice.Prop("disable_parallel_tool_use"u8).AsBool() == true && type != "none")
        {
            w?.WriteBoolean("parallel_tool_calls", false);
        }
    }

    /// <summary>
    /// <c>output_config.effort</c> and <c>thinking</c> → <c>reasoning_effort</c>. The requested effort wins
    /// whatever thinking says (adaptive follows it; absent thinking still carries it); without one,
    /// adaptive thinking means Anthropic's default (high) and enabled thinking maps its budget.
    /// Models without reasoning_effort drop both, noted.
    /// </summary>
    private static void WriteEffort(JsonElement request, bool reasoningModel, Utf8JsonWriter w, TranslationContext ctx)
    {
        var thinking = request.Prop("thinking"u8);
        if (thinking is not null && !thinking.IsObject())
        {
            throw new TranslationException(400, "thinking: must be an object such as {\"type\": \"adaptive\"}.");
        }

        var thinkingType = thinking.Prop("type"u8).AsString();
        if (thinking is not null && thinkingType is not ("adaptive" or "enabled" or "disabled"))
        {
            throw new TranslationException(400, $"thinking.type: must be 'adaptive', 'enabled' or 'disabled' (got {JsonInput.Describe(thinking.Prop("type"u8))}).");
        }

        var config = request.Prop("output_config"u8);
        if (config is not null && !config.IsObject())
        {
            throw new TranslationException(400, "output_config: must be an object.");
        }

        var effortNode = config.Prop("effort"u8);
        var effort = effortNode.AsString();
        if (effortNode is not null && Effort.ToOpenAI(effort) is null)
        {
            throw new TranslationException(400, $"output_config.effort: must be 'low', 'medium', 'high' or 'max' (got {JsonInput.Describe(effortNode)}).");
        }

        string? from;
        string? level;
        if (effort is not null)
        {
            from = $"effort {effort}";
            level = Effort.ToOpenAI(effort);
        }
        else if (thinkingType == "adaptive")
        {
            from = $"thinking adaptive (default effort {Effort.AnthropicDefault})";
            level = Effort.ToOpenAI(Effort.AnthropicDefault);
        }
        else if (thinkingType == "enabled")
        {
            var budget = thinking.Prop("budget_tokens"u8).AsLong() ?? throw new TranslationException(400, "thinking.budget_tokens: required (an integer) when thinking is enabled.");
            from = $"thinking budget {budget}";
            level = Effort.FromBudget(budget);
        }
        else if (thinkingType == "disabled" && reasoningModel)
        {
            // Reasoning models cannot switch reasoning off; low is the least every one of them accepts.
            from = "thinking disabled";
            level = "low";
        }
        else
        {
            return;
        }

        if (!reasoningModel)
        {
            ctx.Drop($"{from} ({ctx.Model} takes no reasoning_effort)");
            return;
        }

        w.WriteString("reasoning_effort"u8, level);
        ctx.Note($"{from} → reasoning_effort {level}");
    }

    /// <summary>Anthropic structured output (<c>output_config.format</c>, or the beta's <c>output_format</c>) → <c>response_format</c> json_schema.</summary>
    private static void WriteFormat(JsonElement request, Utf8JsonWriter w)
    {
        var format = request.Prop("output_config"u8).Prop("format"u8) ?? request.Prop("output_format"u8);
        if (format is null)
        {
            return;
        }

        if (!format.Prop("type"u8).Is("json_schema"u8) || format.Prop("schema"u8) is not { ValueKind: JsonValueKind.Object } schema)
        {
            throw new TranslationException(400, "output_config.format: must be {\"type\": \"json_schema\", \"schema\": {...}}.");
        }

        // Anthropic's structured output is guaranteed to match the schema; OpenAI's strict mode is the same promise.
        w.WriteStartObject("response_format"u8);
        w.WriteString("type"u8, "json_schema"u8);
        w.WriteStartObject("json_schema"u8);
        w.WriteString("name"u8, "output"u8);
        w.WritePropertyName("schema"u8);
        WrittenAsIs.Write(schema, w);
        w.WriteBoolean("strict"u8, true);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
