using System.Text;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// OpenAI Chat Completions request → Anthropic Messages request.
/// </summary>
/// <remarks>
/// Decisions where the APIs differ:
/// <list type="bullet">
/// <item><c>n</c> &gt; 1 is refused (400): Anthropic returns one candidate, and silently sending one would mislead.</item>
/// <item><c>response_format</c> <c>json_object</c>/<c>json_schema</c> is honoured best-effort by a system
/// instruction (with the schema); Anthropic has no JSON mode in the Messages API, so the output is not
/// guaranteed to validate. The approximation is reported through <see cref="TranslationContext.OnDropped"/>.</item>
/// <item>Missing <c>max_tokens</c> (required by Anthropic) becomes <see cref="TranslationContext.DefaultMaxTokens"/>.</item>
/// <item><c>temperature</c> above 1 (OpenAI allows 0–2, Anthropic 0–1) is clamped to 1.</item>
/// <item><c>reasoning_effort</c> becomes an extended-thinking budget (low 1024, medium 4096, high 16384 tokens).</item>
/// <item>Audio and file inputs are refused: dropping them would make the model answer about content it never saw.</item>
/// </list>
/// </remarks>
public static class OpenAIToAnthropicRequest
{
    public static byte[] Translate(ReadOnlySpan<byte> openAIJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(openAIJson, "request body");

        if (request["n"].AsLong() is > 1)
        {
            throw new TranslationException(400, "n > 1 is not supported by this model's provider (Anthropic returns a single choice); send n=1 or omit it.");
        }

        if (request["messages"] is not JsonArray inputMessages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        var system = new StringBuilder();
        var messages = new JsonArray();
        foreach (var message in inputMessages)
        {
            if (message is not JsonObject m)
            {
                throw new TranslationException(400, "messages: each message must be an object.");
            }

            var role = m["role"].AsString();
            switch (role)
            {
                case "system" or "developer":
                    if (messages.Count > 0)
                    {
                        ctx.Drop("system message after the first turn moved to the system prompt");
                    }

                    AppendParagraph(system, ContentText(m["content"]));
                    break;
                case "user":
                    Append(messages, "user", UserBlocks(m["content"], ctx));
                    break;
                case "assistant":
                    Append(messages, "assistant", AssistantBlocks(m, ctx));
                    break;
                case "tool" or "function":
                    Append(messages, "user", [ToolResult(m, role)]);
                    break;
                default:
                    throw new TranslationException(400, $"messages: unsupported role '{role}'.");
            }
        }

        var output = new JsonObject { ["model"] = ctx.Model };
        long? maxTokens = null;
        JsonObject? toolChoice = null;
        bool? parallelToolCalls = null;
        string? reasoningEffort = null;

        foreach (var (name, value) in request)
        {
            switch (name)
            {
                case "model" or "messages" or "n":
                    break;
                case "max_tokens" or "max_completion_tokens":
                    maxTokens = value.AsLong() ?? maxTokens;
                    break;
                case "temperature":
                    if (value.AsDouble() is { } t)
                    {
                        if (t > 1)
                        {
                            ctx.Drop("temperature above 1 clamped to 1 (Anthropic's range is 0-1)");
                        }

                        output["temperature"] = Math.Min(t, 1.0);
                    }

                    break;
                case "top_p":
                    if (value is not null)
                    {
                        output["top_p"] = value.DeepClone();
                    }

                    break;
                case "stop":
                    if (value.AsString() is { } stop)
                    {
                        output["stop_sequences"] = new JsonArray(stop);
                    }
                    else if (value is JsonArray { Count: > 0 } stops)
                    {
                        output["stop_sequences"] = stops.DeepClone();
                    }

                    break;
                case "stream":
                    if (value.AsBool() == true)
                    {
                        ctx.ClientStream = true;
                        output["stream"] = true;
                    }

                    break;
                case "stream_options":
                    ctx.ClientIncludeUsage = value?["include_usage"].AsBool() == true;
                    break;
                case "user":
                    if (value.AsString() is { } user)
                    {
                        output["metadata"] = new JsonObject { ["user_id"] = user };
                    }

                    break;
                case "tools":
                    if (value is JsonArray tools && ConvertTools(tools, ctx) is { Count: > 0 } converted)
                    {
                        output["tools"] = converted;
                    }

                    break;
                case "functions":
                    // The deprecated form of tools.
                    if (value is JsonArray functions && ConvertFunctions(functions) is { Count: > 0 } convertedFunctions)
                    {
                        output["tools"] = convertedFunctions;
                    }

                    break;
                case "tool_choice" or "function_call":
                    toolChoice = ConvertToolChoice(value);
                    break;
                case "parallel_tool_calls":
                    parallelToolCalls = value.AsBool();
                    break;
                case "reasoning_effort":
                    reasoningEffort = value.AsString();
                    break;
                case "response_format":
                    AddResponseFormat(value, system, ctx);
                    break;
                default:
                    if (value is not null)
                    {
                        ctx.Drop(name);
                    }

                    break;
            }
        }

        if (system.Length > 0)
        {
            output["system"] = system.ToString();
        }

        var maxTokensValue = maxTokens ?? ctx.DefaultMaxTokens;
        if (reasoningEffort is "low" or "medium" or "high")
        {
            // Anthropic: budget_tokens >= 1024 and < max_tokens; and thinking allows no custom temperature.
            var budget = reasoningEffort switch { "low" => 1024, "medium" => 4096, _ => 16384 };
            if (maxTokensValue <= budget)
            {
                ctx.Drop("max_tokens raised above the thinking budget that reasoning_effort asks for");
                maxTokensValue = budget + ctx.DefaultMaxTokens;
            }

            output["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
            if (output.Remove("temperature"))
            {
                ctx.Drop("temperature: not allowed together with thinking");
            }
        }
        else if (reasoningEffort is not null)
        {
            ctx.Drop($"reasoning_effort {reasoningEffort}");
        }

        output["max_tokens"] = maxTokensValue;
        output["messages"] = messages;

        if (output["tools"] is not null)
        {
            if (parallelToolCalls == false)
            {
                toolChoice ??= new JsonObject { ["type"] = "auto" };
                if (toolChoice["type"].AsString() != "none")
                {
                    toolChoice["disable_parallel_tool_use"] = true;
                }
            }

            if (toolChoice is not null)
            {
                output["tool_choice"] = toolChoice;
            }
        }

        return JsonOutput.ToBytes(output);
    }

    private static void AppendParagraph(StringBuilder sb, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (sb.Length > 0)
        {
            sb.Append("\n\n");
        }

        sb.Append(text);
    }

    /// <summary>Anthropic wants alternating roles; consecutive same-role turns (e.g. several tool results) merge.</summary>
    internal static void Append(JsonArray messages, string role, JsonArray blocks)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        if (messages.Count > 0 && messages[^1] is JsonObject last && last["role"].AsString() == role)
        {
            var existing = (JsonArray)last["content"]!;
            foreach (var block in blocks.ToArray())
            {
                blocks.Remove(block);
                existing.Add(block);
            }

            return;
        }

        messages.Add(new JsonObject { ["role"] = role, ["content"] = blocks });
    }

    private static string ContentText(JsonNode? content)
    {
        if (content.AsString() is { } s)
        {
            return s;
        }

        var sb = new StringBuilder();
        if (content is JsonArray parts)
        {
            foreach (var part in parts)
            {
                if (part?["type"].AsString() == "text")
                {
                    AppendParagraph(sb, part["text"].AsString() ?? "");
                }
            }
        }

        return sb.ToString();
    }

    private static JsonArray UserBlocks(JsonNode? content, TranslationContext ctx)
    {
        if (content.AsString() is { } s)
        {
            return s.Length == 0 ? [] : [Text(s)];
        }

        var blocks = new JsonArray();
        if (content is not JsonArray parts)
        {
            return blocks;
        }

        foreach (var part in parts)
        {
            switch (part?["type"].AsString())
            {
                case "text":
                    if (part["text"].AsString() is { Length: > 0 } text)
                    {
                        blocks.Add(Text(text));
                    }

                    break;
                case "image_url":
                    blocks.Add(Image(part["image_url"]?["url"].AsString() ?? part["image_url"].AsString() ?? ""));
                    if (part["image_url"]?["detail"] is not null)
                    {
                        ctx.Drop("image_url.detail");
                    }

                    break;
                default:
                    throw new TranslationException(400, $"messages: content part type '{part?["type"].AsString()}' is not supported by this model's provider.");
            }
        }

        return blocks;
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

    /// <summary>A data URL becomes a base64 source, anything else a URL source (Anthropic "Vision" reference).</summary>
    internal static JsonObject Image(string url)
    {
        JsonObject source;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && url.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase) is var marker and > 5)
        {
            source = new JsonObject
            {
                ["type"] = "base64",
                ["media_type"] = url[5..marker],
                ["data"] = url[(marker + 8)..],
            };
        }
        else
        {
            source = new JsonObject { ["type"] = "url", ["url"] = url };
        }

        return new JsonObject { ["type"] = "image", ["source"] = source };
    }

    private static JsonArray AssistantBlocks(JsonObject message, TranslationContext ctx)
    {
        var blocks = new JsonArray();
        var text = ContentText(message["content"]);
        if (text.Length > 0)
        {
            blocks.Add(Text(text));
        }

        if (message["tool_calls"] is JsonArray calls)
        {
            foreach (var call in calls)
            {
                blocks.Add(ToolUse(call?["id"].AsString(), call?["function"], ctx));
            }
        }

        if (message["function_call"] is { } functionCall)
        {
            blocks.Add(ToolUse(null, functionCall, ctx));
        }

        return blocks;
    }

    private static JsonObject ToolUse(string? id, JsonNode? function, TranslationContext ctx)
    {
        var name = function?["name"].AsString() ?? "";
        return new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = id ?? "call_" + name,
            ["name"] = name,
            ["input"] = ToolInput(function, ctx),
        };
    }

    /// <summary>
    /// An OpenAI <c>function.arguments</c> string as the object Anthropic's <c>tool_use.input</c> must
    /// be. Shared with <see cref="OpenAIToAnthropicResponse"/>, so tool calls in history and in answers
    /// keep unparseable arguments the same way.
    /// </summary>
    internal static JsonObject ToolInput(JsonNode? function, TranslationContext ctx)
    {
        var input = JsonOutput.ParseArguments(function?["arguments"].AsString());
        if (input is null)
        {
            // Anthropic requires an object; keep the text so the model still sees what it sent.
            ctx.Drop("tool call arguments that are not a JSON object kept under \"arguments\"");
            input = new JsonObject { ["arguments"] = function?["arguments"].AsString() };
        }

        return input;
    }

    private static JsonObject ToolResult(JsonObject message, string role)
    {
        var id = role == "function" ? "call_" + message["name"].AsString() : message["tool_call_id"].AsString() ?? "";
        var text = ContentText(message["content"]);
        var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = id };

        // Undo AnthropicToOpenAIRequest's marker, so an is_error result survives a round trip.
        if (text.StartsWith(AnthropicToOpenAIRequest.ToolErrorPrefix, StringComparison.Ordinal))
        {
            result["content"] = text[AnthropicToOpenAIRequest.ToolErrorPrefix.Length..];
            result["is_error"] = true;
        }
        else
        {
            result["content"] = text;
        }

        return result;
    }

    private static JsonArray ConvertTools(JsonArray tools, TranslationContext ctx)
    {
        var result = new JsonArray();
        foreach (var tool in tools)
        {
            if (tool?["type"].AsString() is { } type && type != "function")
            {
                ctx.Drop($"tool type {type}");
                continue;
            }

            if (tool?["function"] is JsonObject function)
            {
                if (function["strict"] is not null)
                {
                    ctx.Drop("tools[].function.strict");
                }

                result.Add(Tool(function));
            }
        }

        return result;
    }

    private static JsonArray ConvertFunctions(JsonArray functions)
    {
        var result = new JsonArray();
        foreach (var function in functions)
        {
            if (function is JsonObject f)
            {
                result.Add(Tool(f));
            }
        }

        return result;
    }

    private static JsonObject Tool(JsonObject function)
    {
        var tool = new JsonObject { ["name"] = function["name"].AsString() };
        if (function["description"].AsString() is { } description)
        {
            tool["description"] = description;
        }

        // input_schema is required and must be an object schema.
        tool["input_schema"] = function["parameters"]?.DeepClone() ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        return tool;
    }

    private static JsonObject? ConvertToolChoice(JsonNode? choice)
    {
        switch (choice.AsString())
        {
            case "auto":
                return new JsonObject { ["type"] = "auto" };
            case "required":
                return new JsonObject { ["type"] = "any" };
            case "none":
                return new JsonObject { ["type"] = "none" };
        }

        // {"type":"function","function":{"name":...}} or the deprecated {"name":...}.
        var name = choice?["function"]?["name"].AsString() ?? choice?["name"].AsString();
        return name is null ? null : new JsonObject { ["type"] = "tool", ["name"] = name };
    }

    private static void AddResponseFormat(JsonNode? format, StringBuilder system, TranslationContext ctx)
    {
        switch (format?["type"].AsString())
        {
            case "json_object":
                ctx.Drop("response_format json_object approximated by a system instruction");
                AppendParagraph(system, "Respond with a single valid JSON object and nothing else: no prose, no code fences.");
                break;
            case "json_schema":
                ctx.Drop("response_format json_schema approximated by a system instruction");
                var schema = format!["json_schema"]?["schema"];
                AppendParagraph(
                    system,
                    "Respond with a single valid JSON object and nothing else (no prose, no code fences) that conforms to this JSON Schema:\n"
                    + JsonOutput.ToCompactString(schema));
                break;
        }
    }
}
