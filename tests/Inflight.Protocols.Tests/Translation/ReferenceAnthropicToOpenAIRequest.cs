using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// A copy of <see cref="AnthropicToOpenAIRequest"/> as it was on a <c>JsonNode</c> model, before it became one pass over
/// a <c>JsonDocument</c> into a pooled writer: <see cref="AnthropicToOpenAIRequestEquivalenceTests"/> holds the new one to
/// the same bytes, notes and errors. Anthropic Messages request (<c>POST /v1/messages</c>) → OpenAI Chat Completions request
/// (<c>POST /v1/chat/completions</c>). Every top-level field is in <see cref="Fields"/>: translated,
/// dropped and noted on the context, or refused with a 400 that names it. A body of the wrong shape
/// (a string where an object belongs, an unknown role or block type) is a <see cref="TranslationException"/>.
/// </summary>
internal static class ReferenceAnthropicToOpenAIRequest
{
    /// <summary>Prefix that marks a tool result Anthropic flagged with <c>is_error</c>; OpenAI tool messages have no such flag.</summary>
    internal const string ToolErrorPrefix = "[tool error] ";

    /// <summary>Chat Completions accepts at most four stop sequences.</summary>
    internal const int MaxStopSequences = 4;

    /// <summary>The policy for every top-level Anthropic field; a field not listed is dropped and noted.</summary>
    private static readonly FrozenDictionary<string, FieldPolicy> Fields = new Dictionary<string, FieldPolicy>
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

    public static byte[] Translate(ReadOnlySpan<byte> anthropicJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(anthropicJson, "request body");
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        var output = new JsonObject { ["model"] = ctx.Model };
        var messages = new JsonArray();

        if (request["system"] is { } system)
        {
            var text = SystemText(system, "system", ctx);
            if (text.Length > 0)
            {
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
            }
        }

        if (request["messages"] is not JsonArray inputMessages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        for (var i = 0; i < inputMessages.Count; i++)
        {
            if (inputMessages[i] is not JsonObject m)
            {
                throw new TranslationException(400, $"messages.{i}: each message must be an object.");
            }

            var role = m["role"].AsString();
            switch (role)
            {
                case "assistant":
                    AddAssistant(m["content"], i, messages, ctx);
                    break;
                case "user":
                    AddUser(m["content"], i, messages, ctx);
                    break;
                case "system":
                    // Claude Code's mid-conversation system turns (beta mid-conversation-system-2026-04-07): a system message where it stands.
                    messages.Add(new JsonObject { ["role"] = "system", ["content"] = SystemText(m["content"] ?? "", $"messages.{i}.content", ctx) });
                    break;
                default:
                    throw new TranslationException(400, $"messages.{i}.role: must be 'user', 'assistant' or 'system' (got {JsonOutput.Describe(m["role"])}).");
            }
        }

        output["messages"] = messages;

        var tools = new HashSet<string>(StringComparer.Ordinal);
        var droppedTools = new HashSet<string>(StringComparer.Ordinal);
        if (request["tools"] is { } toolsNode)
        {
            var converted = ConvertTools(toolsNode, tools, droppedTools, ctx);
            if (converted.Count > 0)
            {
                output["tools"] = converted;
            }
        }

        foreach (var (name, value) in request)
        {
            switch (name)
            {
                case "model" or "system" or "messages" or "tools" or "thinking" or "output_config" or "output_format":
                    break; // handled before or after the loop
                case "max_tokens":
                    if (value.AsLong() is not { } maxTokens || maxTokens < 1)
                    {
                        throw new TranslationException(400, "max_tokens: must be a positive integer.");
                    }

                    var field = reasoningModel ? "max_completion_tokens" : "max_tokens";
                    output[field] = OutputLimits.Clamp("max_tokens", maxTokens, ctx);
                    break;
                case "temperature" or "top_p":
                    // Reasoning models accept only the default sampling (OpenAI reference: "not supported with reasoning models").
                    if (reasoningModel)
                    {
                        ctx.Drop($"{name} (reasoning model {ctx.Model} takes only the default)");
                    }
                    else if (value is not null)
                    {
                        output[name] = value.AsDouble() ?? throw new TranslationException(400, $"{name}: must be a number.");
                    }

                    break;
                case "stop_sequences":
                    AddStop(value, output, ctx);
                    break;
                case "stream":
                    if (value.AsBool() == true)
                    {
                        ctx.ClientStream = true;
                        output["stream"] = true;

                        // Without it OpenAI sends no usage at all in a stream; the Anthropic client needs it for message_delta.
                        output["stream_options"] = new JsonObject { ["include_usage"] = true };
                    }

                    break;
                case "metadata":
                    if (value.Prop("user_id").AsString() is { } user)
                    {
                        output["user"] = OpenAIUser(user, ctx);
                    }

                    break;
                case "tool_choice":
                    if (value is not null)
                    {
                        ConvertToolChoice(value, tools, droppedTools, output, ctx);
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

        ConvertEffort(request, reasoningModel, output, ctx);
        ConvertFormat(request, output);

        if (output["tools"] is null)
        {
            // OpenAI rejects tool_choice / parallel_tool_calls without tools.
            output.Remove("tool_choice");
            output.Remove("parallel_tool_calls");
        }

        return JsonOutput.ToBytes(output);
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

    private static void AddStop(JsonNode? value, JsonObject output, TranslationContext ctx)
    {
        if (value is null)
        {
            return;
        }

        if (value is not JsonArray stops)
        {
            throw new TranslationException(400, "stop_sequences: must be an array of strings.");
        }

        var result = new JsonArray();
        foreach (var stop in stops)
        {
            if (stop.AsString() is not { } s)
            {
                throw new TranslationException(400, "stop_sequences: must be an array of strings.");
            }

            if (result.Count == MaxStopSequences)
            {
                ctx.Note($"stop_sequences trimmed from {stops.Count} to {MaxStopSequences} (OpenAI's limit)");
                break;
            }

            result.Add(s);
        }

        if (result.Count > 0)
        {
            output["stop"] = result;
        }
    }

    /// <summary>A system prompt or system message: a string or text blocks, joined; cache_control is ignored (noted).</summary>
    private static string SystemText(JsonNode system, string path, TranslationContext ctx)
    {
        if (system.AsString() is { } s)
        {
            return s;
        }

        if (system is not JsonArray blocks)
        {
            throw new TranslationException(400, $"{path}: must be a string or an array of text blocks.");
        }

        var sb = new StringBuilder();
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            if (block.Prop("type").AsString() != "text" || block.Prop("text").AsString() is not { } text)
            {
                throw new TranslationException(400, $"{path}.{i}: system content must be text blocks (got {JsonOutput.Describe(block.Prop("type") ?? block)}).");
            }

            if (sb.Length > 0)
            {
                sb.Append("\n\n");
            }

            sb.Append(text);
            NoteCacheControl(block, ctx);
        }

        return sb.ToString();
    }

    /// <summary>Prompt caching is the provider's business (OpenAI caches automatically): the marker is dropped.</summary>
    private static void NoteCacheControl(JsonNode? block, TranslationContext ctx)
    {
        if (block.Prop("cache_control") is not null)
        {
            ctx.Drop("cache_control");
        }
    }

    private static JsonArray Blocks(JsonNode? content, string path)
        => content as JsonArray ?? throw new TranslationException(400, $"{path}: content must be a string or an array of content blocks.");

    private static void AddUser(JsonNode? content, int index, JsonArray messages, TranslationContext ctx)
    {
        if (content.AsString() is { } text)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = text });
            return;
        }

        var blocks = Blocks(content, $"messages.{index}.content");

        // tool_result blocks become "tool" messages, which OpenAI requires right after the assistant
        // message that holds the tool_calls; the rest of the user turn follows them.
        var parts = new JsonArray();
        for (var i = 0; i < blocks.Count; i++)
        {
            var path = $"messages.{index}.content.{i}";
            if (blocks[i] is not JsonObject b)
            {
                throw new TranslationException(400, $"{path}: each content block must be an object.");
            }

            NoteCacheControl(b, ctx);
            switch (b["type"].AsString())
            {
                case "text":
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = TextOf(b, path) });
                    break;
                case "image":
                    parts.Add(ImagePart(b, path));
                    break;
                case "tool_result":
                    AddToolResult(b, path, messages, parts, ctx);
                    break;
                case "document":
                    parts.Add(DocumentPart(b, path));
                    break;
                default:
                    throw new TranslationException(400, $"{path}.type: {JsonOutput.Describe(b["type"])} is not a user content block this model's provider can take (text, image, document, tool_result).");
            }
        }

        if (parts.Count == 0)
        {
            return;
        }

        // A text-only turn is sent as a plain string: the widest-supported form among OpenAI-compatible servers.
        var allText = true;
        foreach (var p in parts)
        {
            allText &= p!["type"].AsString() == "text";
        }

        JsonNode userContent = allText ? JoinText(parts) : parts;
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = userContent });
    }

    private static string TextOf(JsonObject block, string path)
        => block["text"].AsString() ?? throw new TranslationException(400, $"{path}.text: must be a string.");

    private static string JoinText(JsonArray parts)
    {
        if (parts.Count == 1)
        {
            return parts[0]!["text"].AsString() ?? "";
        }

        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (sb.Length > 0)
            {
                sb.Append("\n\n");
            }

            sb.Append(p!["text"].AsString());
        }

        return sb.ToString();
    }

    private static void AddToolResult(JsonObject block, string path, JsonArray messages, JsonArray userParts, TranslationContext ctx)
    {
        var id = block["tool_use_id"].AsString() ?? throw new TranslationException(400, $"{path}.tool_use_id: must be a string.");
        var sb = new StringBuilder();
        if (block["is_error"].AsBool() == true)
        {
            sb.Append(ToolErrorPrefix);
        }

        var content = block["content"];
        if (content.AsString() is { } s)
        {
            sb.Append(s);
        }
        else if (content is JsonArray items)
        {
            var first = true;
            for (var i = 0; i < items.Count; i++)
            {
                var itemPath = $"{path}.content.{i}";
                var item = items[i] as JsonObject ?? throw new TranslationException(400, $"{itemPath}: each content block must be an object.");
                NoteCacheControl(item, ctx);
                switch (item["type"].AsString())
                {
                    case "text":
                        if (!first)
                        {
                            sb.Append("\n\n");
                        }

                        sb.Append(TextOf(item, itemPath));
                        first = false;
                        break;
                    case "image":
                        // OpenAI tool messages carry text only; the image goes in the user turn that follows.
                        userParts.Add(new JsonObject { ["type"] = "text", ["text"] = $"(image returned by tool call {id})" });
                        userParts.Add(ImagePart(item, itemPath));
                        break;
                    case "document":
                        userParts.Add(new JsonObject { ["type"] = "text", ["text"] = $"(document returned by tool call {id})" });
                        userParts.Add(DocumentPart(item, itemPath));
                        break;
                    case "tool_reference":
                        // Tool search (defer_loading) results: every tool is already loaded upstream, so say which one was found.
                        if (!first)
                        {
                            sb.Append("\n\n");
                        }

                        sb.Append("Tool loaded: ").Append(item["tool_name"].AsString());
                        first = false;
                        ctx.Note("tool_reference → text (tools are always loaded upstream)");
                        break;
                    default:
                        throw new TranslationException(400, $"{itemPath}.type: {JsonOutput.Describe(item["type"])} is not a tool_result content block this model's provider can take (text, image, document).");
                }
            }
        }
        else if (content is not null)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content blocks.");
        }

        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = sb.ToString() });
    }

    /// <summary>
    /// A base64 PDF becomes a Chat Completions <c>file</c> part (data URL), a plain-text document a text
    /// part. Other sources (file ids, URL PDFs, content documents) have no counterpart: dropping them would
    /// make the model answer about a document it never saw, so they are refused.
    /// </summary>
    private static JsonObject DocumentPart(JsonObject block, string path)
    {
        var source = block["source"];
        var type = source.Prop("type").AsString();
        switch (type)
        {
            case "base64" when source.Prop("media_type").AsString() == "application/pdf" && source.Prop("data").AsString() is { } data:
                return new JsonObject
                {
                    ["type"] = "file",
                    ["file"] = new JsonObject
                    {
                        ["filename"] = block["title"].AsString() ?? "document.pdf",
                        ["file_data"] = "data:application/pdf;base64," + data,
                    },
                };
            case "text" when source.Prop("data").AsString() is { } text:
                return new JsonObject { ["type"] = "text", ["text"] = text };
            default:
                throw new TranslationException(400, $"{path}.source: a document from source type {JsonOutput.Describe(source.Prop("type") ?? source)} cannot be sent to this model's provider (only base64 PDFs and plain text can).");
        }
    }

    private static JsonObject ImagePart(JsonObject block, string path)
    {
        var source = block["source"];
        string? url = source.Prop("type").AsString() switch
        {
            "base64" when source.Prop("media_type").AsString() is { } mediaType && source.Prop("data").AsString() is { } data => $"data:{mediaType};base64,{data}",
            "url" => source.Prop("url").AsString(),
            _ => null,
        };

        if (url is null)
        {
            throw new TranslationException(400, $"{path}.source: an image from source type {JsonOutput.Describe(source.Prop("type") ?? source)} cannot be sent to this model's provider (only base64 and url images can).");
        }

        return new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } };
    }

    private static void AddAssistant(JsonNode? content, int index, JsonArray messages, TranslationContext ctx)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        if (content.AsString() is { } text)
        {
            message["content"] = text;
            messages.Add(message);
            return;
        }

        var blocks = Blocks(content, $"messages.{index}.content");
        var sb = new StringBuilder();
        JsonArray? toolCalls = null;
        for (var i = 0; i < blocks.Count; i++)
        {
            var path = $"messages.{index}.content.{i}";
            var block = blocks[i] as JsonObject ?? throw new TranslationException(400, $"{path}: each content block must be an object.");
            NoteCacheControl(block, ctx);
            switch (block["type"].AsString())
            {
                case "text":
                    // Separate blocks stay separate paragraphs; run together they would read as one garbled sentence.
                    if (sb.Length > 0)
                    {
                        sb.Append("\n\n");
                    }

                    sb.Append(TextOf(block, path));
                    break;
                case "tool_use":
                    toolCalls ??= [];
                    toolCalls.Add(ToolCall(block, path));
                    break;
                case "thinking" or "redacted_thinking":
                    // Chat Completions has no way to send prior reasoning back; the model reasons afresh.
                    ctx.Drop("assistant thinking blocks");
                    break;
                case "server_tool_use" or "web_search_tool_result" or "web_fetch_tool_result" or "code_execution_tool_result" or "mcp_tool_use" or "mcp_tool_result":
                    // Calls and results of tools that ran on Anthropic's side: no OpenAI tool call matches them.
                    ctx.Drop($"assistant {block["type"].AsString()} blocks");
                    break;
                default:
                    throw new TranslationException(400, $"{path}.type: {JsonOutput.Describe(block["type"])} is not an assistant content block (text, tool_use, thinking).");
            }
        }

        // OpenAI wants content or tool_calls on an assistant message; an all-dropped turn keeps an empty text.
        message["content"] = sb.Length > 0 || toolCalls is null ? sb.ToString() : null;
        if (toolCalls is not null)
        {
            message["tool_calls"] = toolCalls;
        }

        messages.Add(message);
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

    private static JsonArray ConvertTools(JsonNode toolsNode, HashSet<string> kept, HashSet<string> dropped, TranslationContext ctx)
    {
        var tools = toolsNode as JsonArray ?? throw new TranslationException(400, "tools: must be an array of tools.");
        var result = new JsonArray();
        for (var i = 0; i < tools.Count; i++)
        {
            var t = tools[i] as JsonObject ?? throw new TranslationException(400, $"tools.{i}: each tool must be an object.");
            var name = t["name"].AsString() ?? throw new TranslationException(400, $"tools.{i}.name: must be a string.");

            // Custom tools have no type or "custom"; typed ones (bash_20250124, web_search_…) run on Anthropic's side.
            var type = t["type"].AsString();
            if (type is not null and not "custom")
            {
                ctx.Drop($"server tool {type}");
                dropped.Add(name);
                continue;
            }

            var function = new JsonObject { ["name"] = name };
            if (t["description"].AsString() is { } description)
            {
                function["description"] = description;
            }

            var schema = t["input_schema"];
            if (schema is not null and not JsonObject)
            {
                throw new TranslationException(400, $"tools.{i}.input_schema: must be a JSON Schema object.");
            }

            function["parameters"] = schema?.DeepClone() ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            if (t["strict"].AsBool() is { } strict)
            {
                function["strict"] = strict;
            }

            NoteCacheControl(t, ctx);
            if (t["defer_loading"].AsBool() == true)
            {
                // Tool search is Anthropic's; upstream every tool is in the prompt from the start.
                ctx.Drop("tools[].defer_loading");
            }

            if (t["input_examples"] is not null)
            {
                ctx.Drop("tools[].input_examples");
            }

            kept.Add(name);
            result.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        return result;
    }

    private static void ConvertToolChoice(JsonNode value, HashSet<string> tools, HashSet<string> droppedTools, JsonObject output, TranslationContext ctx)
    {
        if (value is not JsonObject choice)
        {
            throw new TranslationException(400, "tool_choice: must be an object such as {\"type\": \"auto\"}.");
        }

        var type = choice["type"].AsString();
        switch (type)
        {
            case "auto":
                output["tool_choice"] = "auto";
                break;
            case "any":
                output["tool_choice"] = "required";
                break;
            case "none":
                output["tool_choice"] = "none";
                break;
            case "tool":
                var name = choice["name"].AsString() ?? throw new TranslationException(400, "tool_choice.name: must be a string when type is 'tool'.");
                if (droppedTools.Contains(name) || !tools.Contains(name))
                {
                    // Naming a tool the upstream never sees would be rejected there; let the model choose instead.
                    ctx.Note($"tool_choice {name} → auto (the tool was not sent upstream)");
                    output["tool_choice"] = "auto";
                }
                else
                {
                    output["tool_choice"] = new JsonObject
                    {
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = name },
                    };
                }

                break;
            default:
                throw new TranslationException(400, $"tool_choice.type: must be 'auto', 'any', 'tool' or 'none' (got {JsonOutput.Describe(choice["type"])}).");
        }

        if (choice["disable_parallel_tool_use"].AsBool() == true && type != "none")
        {
            output["parallel_tool_calls"] = false;
        }
    }

    /// <summary>
    /// <c>output_config.effort</c> and <c>thinking</c> → <c>reasoning_effort</c>. The requested effort wins
    /// whatever thinking says (adaptive follows it; absent thinking still carries it); without one,
    /// adaptive thinking means Anthropic's default (high) and enabled thinking maps its budget.
    /// Models without reasoning_effort drop both, noted.
    /// </summary>
    private static void ConvertEffort(JsonObject request, bool reasoningModel, JsonObject output, TranslationContext ctx)
    {
        var thinking = request["thinking"];
        if (thinking is not null and not JsonObject)
        {
            throw new TranslationException(400, "thinking: must be an object such as {\"type\": \"adaptive\"}.");
        }

        var thinkingType = thinking.Prop("type").AsString();
        if (thinking is not null && thinkingType is not ("adaptive" or "enabled" or "disabled"))
        {
            throw new TranslationException(400, $"thinking.type: must be 'adaptive', 'enabled' or 'disabled' (got {JsonOutput.Describe(thinking.Prop("type"))}).");
        }

        var config = request["output_config"];
        if (config is not null and not JsonObject)
        {
            throw new TranslationException(400, "output_config: must be an object.");
        }

        var effortNode = config.Prop("effort");
        var effort = effortNode.AsString();
        if (effortNode is not null && Effort.ToOpenAI(effort) is null)
        {
            throw new TranslationException(400, $"output_config.effort: must be 'low', 'medium', 'high' or 'max' (got {JsonOutput.Describe(effortNode)}).");
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
            var budget = thinking.Prop("budget_tokens").AsLong() ?? throw new TranslationException(400, "thinking.budget_tokens: required (an integer) when thinking is enabled.");
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

        output["reasoning_effort"] = level;
        ctx.Note($"{from} → reasoning_effort {level}");
    }

    /// <summary>Anthropic structured output (<c>output_config.format</c>, or the beta's <c>output_format</c>) → <c>response_format</c> json_schema.</summary>
    private static void ConvertFormat(JsonObject request, JsonObject output)
    {
        var format = request["output_config"].Prop("format") ?? request["output_format"];
        if (format is null)
        {
            return;
        }

        if (format.Prop("type").AsString() != "json_schema" || format.Prop("schema") is not JsonObject schema)
        {
            throw new TranslationException(400, "output_config.format: must be {\"type\": \"json_schema\", \"schema\": {...}}.");
        }

        // Anthropic's structured output is guaranteed to match the schema; OpenAI's strict mode is the same promise.
        output["response_format"] = new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject
            {
                ["name"] = "output",
                ["schema"] = schema.DeepClone(),
                ["strict"] = true,
            },
        };
    }
}
