using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Anthropic Messages request (<c>POST /v1/messages</c>) → OpenAI Chat Completions request
/// (<c>POST /v1/chat/completions</c>). Field meanings follow the two API references; what has no
/// counterpart is dropped and reported through <see cref="TranslationContext.OnDropped"/>.
/// </summary>
public static class AnthropicToOpenAIRequest
{
    /// <summary>Prefix that marks a tool result Anthropic flagged with <c>is_error</c>; OpenAI tool messages have no such flag.</summary>
    internal const string ToolErrorPrefix = "[tool error] ";

    public static byte[] Translate(ReadOnlySpan<byte> anthropicJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(anthropicJson, "request body");
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        var output = new JsonObject { ["model"] = ctx.Model };
        var messages = new JsonArray();

        if (request["system"] is { } system)
        {
            var text = SystemText(system, ctx);
            if (text.Length > 0)
            {
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
            }
        }

        if (request["messages"] is not JsonArray inputMessages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        foreach (var message in inputMessages)
        {
            if (message is not JsonObject m)
            {
                throw new TranslationException(400, "messages: each message must be an object.");
            }

            var role = m["role"].AsString();
            if (role == "assistant")
            {
                AddAssistant(m["content"], messages, ctx);
            }
            else if (role == "user")
            {
                AddUser(m["content"], messages, ctx);
            }
            else
            {
                throw new TranslationException(400, $"messages: role must be 'user' or 'assistant' (got '{role}').");
            }
        }

        output["messages"] = messages;

        foreach (var (name, value) in request)
        {
            switch (name)
            {
                case "model" or "system" or "messages":
                    break;
                case "max_tokens":
                    output[reasoningModel ? "max_completion_tokens" : "max_tokens"] = value?.DeepClone();
                    break;
                case "temperature" or "top_p":
                    // Reasoning models accept only the default sampling (OpenAI reference: "not supported with reasoning models").
                    if (reasoningModel)
                    {
                        ctx.Drop($"{name}: not supported by reasoning model {ctx.Model}");
                    }
                    else
                    {
                        output[name] = value?.DeepClone();
                    }

                    break;
                case "stop_sequences":
                    if (value is JsonArray { Count: > 0 } stops)
                    {
                        output["stop"] = stops.DeepClone();
                    }

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
                    if (value?["user_id"].AsString() is { } user)
                    {
                        output["user"] = OpenAIUser(user);
                    }

                    break;
                case "tools":
                    if (value is JsonArray tools)
                    {
                        var converted = ConvertTools(tools, ctx);
                        if (converted.Count > 0)
                        {
                            output["tools"] = converted;
                        }
                    }

                    break;
                case "tool_choice":
                    if (value is JsonObject choice)
                    {
                        ConvertToolChoice(choice, output);
                    }

                    break;
                case "thinking":
                    ConvertThinking(value, reasoningModel, output, ctx);
                    break;
                default:
                    ctx.Drop(name);
                    break;
            }
        }

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
    internal static string OpenAIUser(string userId)
        => userId.Length <= 64 ? userId : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));

    private static string SystemText(JsonNode system, TranslationContext ctx)
    {
        if (system.AsString() is { } s)
        {
            return s;
        }

        var sb = new StringBuilder();
        if (system is JsonArray blocks)
        {
            foreach (var block in blocks)
            {
                if (block?["type"].AsString() == "text")
                {
                    if (sb.Length > 0)
                    {
                        sb.Append("\n\n");
                    }

                    sb.Append(block["text"].AsString());
                }
                else
                {
                    ctx.Drop($"system block type {block?["type"].AsString()}");
                }

                if (block?["cache_control"] is not null)
                {
                    ctx.Drop("cache_control");
                }
            }
        }

        return sb.ToString();
    }

    private static void AddUser(JsonNode? content, JsonArray messages, TranslationContext ctx)
    {
        if (content.AsString() is { } text)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = text });
            return;
        }

        if (content is not JsonArray blocks)
        {
            throw new TranslationException(400, "messages: content must be a string or an array of content blocks.");
        }

        // tool_result blocks become "tool" messages, which OpenAI requires right after the assistant
        // message that holds the tool_calls; the rest of the user turn follows them.
        var parts = new JsonArray();
        foreach (var block in blocks)
        {
            if (block is not JsonObject b)
            {
                continue;
            }

            if (b["cache_control"] is not null)
            {
                ctx.Drop("cache_control");
            }

            switch (b["type"].AsString())
            {
                case "text":
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = b["text"].AsString() ?? "" });
                    break;
                case "image":
                    if (ImagePart(b, ctx) is { } image)
                    {
                        parts.Add(image);
                    }

                    break;
                case "tool_result":
                    AddToolResult(b, messages, parts, ctx);
                    break;
                case "document":
                    if (DocumentPart(b, ctx) is { } document)
                    {
                        parts.Add(document);
                    }

                    break;
                default:
                    ctx.Drop($"user content block {b["type"].AsString()}");
                    break;
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

    private static void AddToolResult(JsonObject block, JsonArray messages, JsonArray userParts, TranslationContext ctx)
    {
        var id = block["tool_use_id"].AsString() ?? "";
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
            foreach (var item in items)
            {
                switch (item?["type"].AsString())
                {
                    case "text":
                        if (!first)
                        {
                            sb.Append("\n\n");
                        }

                        sb.Append(item["text"].AsString());
                        first = false;
                        break;
                    case "image":
                        // OpenAI tool messages carry text only; the image goes in the user turn that follows.
                        if (ImagePart((JsonObject)item, ctx) is { } image)
                        {
                            userParts.Add(new JsonObject { ["type"] = "text", ["text"] = $"(image returned by tool call {id})" });
                            userParts.Add(image);
                        }

                        break;
                    default:
                        ctx.Drop($"tool_result content block {item?["type"].AsString()}");
                        break;
                }
            }
        }

        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = sb.ToString() });
    }

    /// <summary>
    /// A PDF becomes a Chat Completions <c>file</c> part (base64 data URL), a plain-text document a text
    /// part; other sources (URL PDFs, content blocks) have no counterpart and are dropped visibly.
    /// </summary>
    private static JsonObject? DocumentPart(JsonObject block, TranslationContext ctx)
    {
        var source = block["source"];
        switch (source?["type"].AsString())
        {
            case "base64" when source["media_type"].AsString() == "application/pdf":
                return new JsonObject
                {
                    ["type"] = "file",
                    ["file"] = new JsonObject
                    {
                        ["filename"] = block["title"].AsString() ?? "document.pdf",
                        ["file_data"] = "data:application/pdf;base64," + source["data"].AsString(),
                    },
                };
            case "text":
                return new JsonObject { ["type"] = "text", ["text"] = source["data"].AsString() ?? "" };
            default:
                ctx.Drop($"document source {source?["type"].AsString()}");
                return null;
        }
    }

    private static JsonObject? ImagePart(JsonObject block, TranslationContext ctx)
    {
        var source = block["source"];
        string? url = source?["type"].AsString() switch
        {
            "base64" => $"data:{source!["media_type"].AsString()};base64,{source["data"].AsString()}",
            "url" => source!["url"].AsString(),
            _ => null,
        };

        if (url is null)
        {
            ctx.Drop($"image source {source?["type"].AsString()}");
            return null;
        }

        return new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = url } };
    }

    private static void AddAssistant(JsonNode? content, JsonArray messages, TranslationContext ctx)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        if (content.AsString() is { } text)
        {
            message["content"] = text;
            messages.Add(message);
            return;
        }

        if (content is not JsonArray blocks)
        {
            throw new TranslationException(400, "messages: content must be a string or an array of content blocks.");
        }

        var sb = new StringBuilder();
        JsonArray? toolCalls = null;
        foreach (var block in blocks)
        {
            switch (block?["type"].AsString())
            {
                case "text":
                    sb.Append(block["text"].AsString());
                    break;
                case "tool_use":
                    toolCalls ??= [];
                    toolCalls.Add(ToolCall(block));
                    break;
                case "thinking" or "redacted_thinking":
                    // Chat Completions has no way to send prior reasoning back.
                    ctx.Drop("assistant thinking blocks");
                    break;
                default:
                    ctx.Drop($"assistant content block {block?["type"].AsString()}");
                    break;
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
    internal static JsonObject ToolCall(JsonNode block) => new()
    {
        ["id"] = block["id"].AsString(),
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = block["name"].AsString(),
            ["arguments"] = JsonOutput.ToCompactString(block["input"]),
        },
    };

    private static JsonArray ConvertTools(JsonArray tools, TranslationContext ctx)
    {
        var result = new JsonArray();
        foreach (var tool in tools)
        {
            if (tool is not JsonObject t)
            {
                continue;
            }

            // Custom tools have no type or "custom"; typed ones (bash_20250124, web_search_…) run on Anthropic's side.
            var type = t["type"].AsString();
            if (type is not null and not "custom")
            {
                ctx.Drop($"server tool {type}");
                continue;
            }

            var function = new JsonObject { ["name"] = t["name"].AsString() };
            if (t["description"].AsString() is { } description)
            {
                function["description"] = description;
            }

            function["parameters"] = t["input_schema"]?.DeepClone() ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
            result.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        return result;
    }

    private static void ConvertToolChoice(JsonObject choice, JsonObject output)
    {
        output["tool_choice"] = choice["type"].AsString() switch
        {
            "any" => "required",
            "none" => "none",
            "tool" => new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = choice["name"].AsString() },
            },
            _ => "auto",
        };

        if (choice["disable_parallel_tool_use"].AsBool() == true)
        {
            output["parallel_tool_calls"] = false;
        }
    }

    /// <summary>
    /// Anthropic's thinking budget → OpenAI <c>reasoning_effort</c> (low/medium/high), for models that take
    /// it. The thresholds split Anthropic's documented budget range (min 1024) roughly where the effort
    /// levels' typical reasoning lengths fall.
    /// </summary>
    private static void ConvertThinking(JsonNode? thinking, bool reasoningModel, JsonObject output, TranslationContext ctx)
    {
        var type = thinking?["type"].AsString();
        if (type is null or "disabled")
        {
            return;
        }

        if (!reasoningModel)
        {
            ctx.Drop($"thinking: model {ctx.Model} takes no reasoning_effort");
            return;
        }

        var budget = thinking!["budget_tokens"].AsLong() ?? 8192;
        output["reasoning_effort"] = budget switch
        {
            < 4096 => "low",
            < 16384 => "medium",
            _ => "high",
        };
    }
}
