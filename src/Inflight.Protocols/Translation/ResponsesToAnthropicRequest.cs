using System.Text;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// OpenAI Responses request (<c>POST /v1/responses</c>) → Anthropic Messages request. The field policy
/// is <see cref="ResponsesRequestFields"/>; tools follow <see cref="ResponsesTools"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>instructions</c> and <c>developer</c>/<c>system</c> messages become <c>system</c> text blocks in
/// order. One that comes after the conversation started is moved there too, with a note: mid-conversation
/// system messages are not accepted by every Claude model.</item>
/// <item><c>function_call</c>/<c>custom_tool_call</c> items become <c>tool_use</c> blocks of the assistant
/// turn they follow, their outputs <c>tool_result</c> blocks of one user turn; consecutive turns of one role
/// merge, as Anthropic wants roles to alternate.</item>
/// <item><c>reasoning</c> items made by <see cref="ThinkingEnvelope"/> become the <c>thinking</c> /
/// <c>redacted_thinking</c> blocks they carry, at their position in the assistant turn they precede
/// (so that turn starts with its thinking, as Anthropic requires for a tool continuation). Other reasoning
/// (OpenAI's own encrypted content, summaries) cannot be read by Anthropic and is dropped and recorded.</item>
/// <item><c>reasoning.effort</c> becomes thinking per <see cref="ClaudeThinking"/>. Thinking is left off,
/// with a note, when <c>tool_choice</c> forces a tool (Anthropic rejects the combination) or when the
/// tool-continuation turn has no thinking block to send back (Anthropic would reject the request).</item>
/// <item><c>text.format</c> json_schema becomes <c>output_config.format</c> (native structured output);
/// json_object, which has no schema, is asked for by a system instruction and recorded.</item>
/// </list>
/// </remarks>
public static class ResponsesToAnthropicRequest
{
    /// <summary>max_tokens when the client set none and thinking is adaptive; every Claude model with adaptive thinking allows far more.</summary>
    private const int AdaptiveThinkingMinTokens = 16384;

    private const string JsonObjectInstruction = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

    public static byte[] Translate(ReadOnlySpan<byte> responsesJson, TranslationContext ctx)
    {
        var request = ResponsesInput.Parse(responsesJson);
        var tools = ResponsesTools.Read(request["tools"], ctx);
        var system = new JsonArray();
        if (request["instructions"] is { } instructions)
        {
            AddSystem(system, instructions.AsString() ?? throw new TranslationException(400, "instructions: must be a string."));
        }

        var messages = new Conversation(tools, system, ctx).Build(ResponsesInput.Items(request["input"]));
        if (messages.Count == 0)
        {
            throw new TranslationException(400, "input: at least one user or assistant message is required.");
        }

        var output = new JsonObject { ["model"] = ctx.Model };
        long? maxTokens = null;
        double? temperature = null, topP = null;
        string? effort = null, userId = null, safetyIdentifier = null;
        ResponsesToolChoice? toolChoice = null;
        var parallelToolCalls = true;
        var summary = false;

        foreach (var (name, value) in request)
        {
            if (!ResponsesRequestFields.MustTranslate(name, value, toAnthropic: true, ctx) || ResponsesInput.TryCommonField(name, value!, ctx))
            {
                continue;
            }

            switch (name)
            {
                case "input" or "instructions" or "tools":
                    break;
                case "tool_choice":
                    toolChoice = tools.Choice(value!);
                    break;
                case "parallel_tool_calls":
                    parallelToolCalls = ResponsesInput.Bool(value!, name);
                    break;
                case "max_output_tokens":
                    maxTokens = ResponsesInput.PositiveInteger(value!, name);
                    break;
                case "temperature":
                    temperature = ResponsesInput.Number(value!, name);
                    break;
                case "top_p":
                    topP = ResponsesInput.Number(value!, name);
                    break;
                case "text":
                    AddText(value!, output, system, ctx);
                    break;
                case "reasoning":
                    // Thinking blocks are Claude's summarized reasoning, so a summary request is honoured by thinking itself.
                    effort = ResponsesInput.ReasoningEffort(value!, summaryHonoured: true, ctx);
                    summary = value!["summary"] is not null || value["generate_summary"] is not null;
                    break;
                case "include":
                    ResponsesInput.Include(value!, honoured: "reasoning.encrypted_content", ctx);
                    break;
                case "user":
                    userId = value.AsString() ?? throw new TranslationException(400, "user: must be a string.");
                    break;
                case "safety_identifier":
                    safetyIdentifier = value.AsString() ?? throw new TranslationException(400, "safety_identifier: must be a string.");
                    break;
                case "prompt_cache_key":
                    // The client asks for prompt caching; Anthropic caches only when asked, and a top-level
                    // cache_control lets the API place (and move) the breakpoint itself.
                    _ = value.AsString() ?? throw new TranslationException(400, "prompt_cache_key: must be a string.");
                    output["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
                    ctx.Drop("prompt_cache_key → automatic prompt caching (cache_control)");
                    break;
                default:
                    ctx.Drop($"dropped: {name}");
                    break;
            }
        }

        if (system.Count > 0)
        {
            output["system"] = system;
        }

        output["messages"] = messages;
        if ((safetyIdentifier ?? userId) is { } user)
        {
            output["metadata"] = new JsonObject { ["user_id"] = user };
        }

        if (ctx.ClientStream)
        {
            output["stream"] = true;
        }

        var anthropicChoice = AddTools(tools, toolChoice, parallelToolCalls, output, ctx);
        var budget = effort is null ? null : ClaudeThinking.Apply(effort, ctx.Model, output, ctx);
        if (budget is not null && !ThinkingAllowed(anthropicChoice, messages, ctx))
        {
            output.Remove("thinking");
            budget = null;
        }

        if (summary && output["thinking"] is null)
        {
            ctx.Drop("dropped: reasoning.summary (thinking is off)");
        }

        var maxTokensValue = maxTokens ?? ctx.DefaultMaxTokens;
        if (budget == 0 && maxTokens is null)
        {
            // The client set no limit (Codex never does) and adaptive thinking spends from the same budget as
            // the answer: a small default would cut answers short after the thinking.
            maxTokensValue = Math.Max(maxTokensValue, AdaptiveThinkingMinTokens);
        }

        if (budget > 0 && maxTokensValue <= budget)
        {
            // Anthropic: budget_tokens must be below max_tokens.
            ctx.Drop("max_tokens raised above the thinking budget that reasoning.effort asks for");
            maxTokensValue = budget.Value + ctx.DefaultMaxTokens;
        }

        output["max_tokens"] = maxTokensValue;
        AddSampling(temperature, topP, thinking: output["thinking"] is not null, output, ctx);
        return JsonOutput.ToBytes(output);
    }

    private static void AddSystem(JsonArray system, string text)
    {
        if (text.Length > 0)
        {
            system.Add(TextBlock(text));
        }
    }

    private static JsonObject TextBlock(string text) => new() { ["type"] = "text", ["text"] = text };

    private static void AddSampling(double? temperature, double? topP, bool thinking, JsonObject output, TranslationContext ctx)
    {
        if (thinking)
        {
            // Anthropic: thinking is incompatible with a custom temperature and narrows top_p.
            if (temperature is not null || topP is not null)
            {
                ctx.Drop("dropped: temperature/top_p (not allowed together with thinking)");
            }

            return;
        }

        if (temperature is { } t)
        {
            if (t > 1)
            {
                ctx.Drop("temperature above 1 clamped to 1 (Anthropic's range is 0-1)");
            }

            output["temperature"] = Math.Min(t, 1.0);
        }

        if (topP is { } p)
        {
            // Current Claude models reject temperature and top_p together.
            if (temperature is not null)
            {
                ctx.Drop("dropped: top_p (Claude takes temperature or top_p, not both)");
            }
            else
            {
                output["top_p"] = p;
            }
        }
    }

    private static void AddText(JsonNode value, JsonObject output, JsonArray system, TranslationContext ctx)
    {
        if (ResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } schema)
        {
            ClaudeThinking.OutputConfig(output)["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = schema["schema"]!.DeepClone() };
            if (schema["strict"].AsBool() == false)
            {
                ctx.Drop("text.format strict false sent as Anthropic structured output (always strict)");
            }
        }
        else if (jsonObject)
        {
            ctx.Drop("text.format json_object approximated by a system instruction");
            AddSystem(system, JsonObjectInstruction);
        }

        if (value["verbosity"] is not null)
        {
            ctx.Drop("dropped: text.verbosity");
        }
    }

    private static JsonObject? AddTools(ResponsesTools tools, ResponsesToolChoice? choice, bool parallelToolCalls, JsonObject output, TranslationContext ctx)
    {
        if (tools.Functions.Count == 0)
        {
            if (choice?.Mode == "required")
            {
                throw new TranslationException(400, "tool_choice: 'required' needs a function tool; the declared tools are hosted tools this model's provider cannot run.");
            }

            return null;
        }

        var converted = new JsonArray();
        foreach (var tool in tools.Functions)
        {
            // allowed_tools: Anthropic has no such choice; sending only the allowed tools gives the model the same options.
            if (choice?.Allowed is { } allowed && !allowed.Contains(tool.UpstreamName))
            {
                continue;
            }

            var anthropicTool = new JsonObject { ["name"] = tool.UpstreamName };
            if (tool.Description is not null)
            {
                anthropicTool["description"] = tool.Description;
            }

            anthropicTool["input_schema"] = tool.Parameters.DeepClone();
            if (tool.Strict == true)
            {
                anthropicTool["strict"] = true;
            }

            converted.Add(anthropicTool);
        }

        if (choice?.Allowed is not null)
        {
            ctx.Drop("tool_choice allowed_tools: only the allowed tools sent");
        }

        output["tools"] = converted;
        JsonObject? result = choice switch
        {
            null => null,
            { Name: { } name } => new JsonObject { ["type"] = "tool", ["name"] = name },
            { Mode: "required" } => new JsonObject { ["type"] = "any" },
            { Mode: "none" } => new JsonObject { ["type"] = "none" },
            _ => new JsonObject { ["type"] = "auto" },
        };

        if (!parallelToolCalls && result?["type"].AsString() != "none")
        {
            result ??= new JsonObject { ["type"] = "auto" };
            result["disable_parallel_tool_use"] = true;
        }

        if (result is not null)
        {
            output["tool_choice"] = result;
        }

        return result;
    }

    /// <summary>Whether thinking can be sent with this tool choice and history; records why not.</summary>
    private static bool ThinkingAllowed(JsonObject? toolChoice, JsonArray messages, TranslationContext ctx)
    {
        if (toolChoice?["type"].AsString() is "any" or "tool")
        {
            ctx.Drop("thinking off: tool_choice forces a tool (Anthropic rejects thinking with a forced tool)");
            return false;
        }

        // Anthropic rejects a tool continuation whose assistant turn does not start with its thinking block.
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i]!["role"].AsString() != "assistant")
            {
                continue;
            }

            var blocks = (JsonArray)messages[i]!["content"]!;
            var hasToolUse = blocks.Any(b => b!["type"].AsString() == "tool_use");
            if (hasToolUse && blocks[0]!["type"].AsString() is not "thinking" and not "redacted_thinking")
            {
                ctx.Drop("thinking off: the tool-continuation turn has no thinking block to send back");
                return false;
            }

            break;
        }

        return true;
    }

    /// <summary>Builds the Anthropic messages from the input items, keeping roles alternating.</summary>
    private sealed class Conversation(ResponsesTools tools, JsonArray system, TranslationContext ctx)
    {
        private readonly JsonArray _messages = [];
        private readonly List<JsonObject> _pendingThinking = [];

        public JsonArray Build(List<InputItem> items)
        {
            foreach (var input in items)
            {
                var item = input.Item;
                switch (input.Type)
                {
                    case "message":
                        AddMessage(input);
                        break;
                    case "function_call":
                        AddAssistant(ToolUse(input, ToolInput(input)));
                        break;
                    case "custom_tool_call":
                        AddAssistant(ToolUse(input, new JsonObject { [ResponsesTools.CustomInputProperty] = ResponsesInput.RequiredString(item, "input", input.Path) }));
                        break;
                    case "function_call_output" or "custom_tool_call_output":
                        AddUser([ToolResult(input)]);
                        break;
                    case "reasoning":
                        AddReasoning(input);
                        break;
                    case "web_search_call" or "tool_search_call" or "tool_search_output":
                        ctx.Drop($"dropped: {input.Type} item");
                        break;
                    case "item_reference":
                        throw new TranslationException(400, $"{input.Path}: item_reference points at a stored item; {ResponsesRequestFields.StatelessMessage}");
                    default:
                        throw new TranslationException(400, $"{input.Path}.type: input item type '{input.Type}' is not supported by this model's provider.");
                }
            }

            DropPendingThinking();
            return _messages;
        }

        private void AddMessage(InputItem input)
        {
            var content = input.Item["content"];
            if (input.Item["phase"] is not null)
            {
                ctx.Drop("dropped: message phase");
            }

            switch (ResponsesInput.Role(input))
            {
                case "system" or "developer":
                    if (_messages.Count > 0)
                    {
                        ctx.Drop("developer message after the first turn moved to system");
                    }

                    foreach (var part in ResponsesInput.TextParts(content, input.Path))
                    {
                        AddSystem(system, part);
                    }

                    break;
                case "assistant":
                    var text = ResponsesInput.Text(content, input.Path);
                    AddAssistant(text.Length > 0 ? TextBlock(text) : null);
                    break;
                default:
                    AddUser(UserBlocks(content, input.Path));
                    break;
            }
        }

        /// <summary>Appends to the open assistant turn (or starts one), thinking that preceded the block first.</summary>
        private void AddAssistant(JsonObject? block)
        {
            var blocks = new JsonArray();
            foreach (var thinking in _pendingThinking)
            {
                blocks.Add(thinking);
            }

            _pendingThinking.Clear();
            if (block is not null)
            {
                blocks.Add(block);
            }

            Append("assistant", blocks);
        }

        private void AddUser(JsonArray blocks)
        {
            DropPendingThinking();
            Append("user", blocks);
        }

        private void Append(string role, JsonArray blocks) => OpenAIToAnthropicRequest.Append(_messages, role, blocks);

        private void AddReasoning(InputItem input)
        {
            if (input.Item["encrypted_content"].AsString() is { } encrypted && ThinkingEnvelope.TryDecode(encrypted, out var decoded))
            {
                _pendingThinking.Add(decoded.IsRedacted
                    ? new JsonObject { ["type"] = "redacted_thinking", ["data"] = decoded.RedactedData }
                    : new JsonObject { ["type"] = "thinking", ["thinking"] = decoded.Thinking, ["signature"] = decoded.Signature });
            }
            else
            {
                ctx.Drop("dropped: reasoning item not made by Inflight (Anthropic cannot read it)");
            }
        }

        /// <summary>Thinking belongs at the start of the assistant turn it preceded; with none following, it has nowhere to go.</summary>
        private void DropPendingThinking()
        {
            if (_pendingThinking.Count > 0)
            {
                ctx.Drop("dropped: reasoning item with no assistant output after it");
                _pendingThinking.Clear();
            }
        }

        private JsonObject ToolInput(InputItem input)
        {
            _ = input.Item["arguments"].AsString() ?? throw new TranslationException(400, $"{input.Path}.arguments: required (a string of JSON).");
            return OpenAIToAnthropicRequest.ToolInput(input.Item, ctx);
        }

        private JsonObject ToolUse(InputItem input, JsonObject toolInput) => new()
        {
            ["type"] = "tool_use",
            ["id"] = ResponsesInput.RequiredString(input.Item, "call_id", input.Path),
            ["name"] = tools.UpstreamName(ResponsesInput.RequiredString(input.Item, "name", input.Path), input.Item["namespace"].AsString()),
            ["input"] = toolInput,
        };

        private JsonObject ToolResult(InputItem input)
        {
            var result = new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = ResponsesInput.RequiredString(input.Item, "call_id", input.Path) };
            var output = input.Item["output"];
            if (output.AsString() is { } text)
            {
                result["content"] = text;
            }
            else if (output is JsonArray parts)
            {
                var blocks = new JsonArray();
                for (var i = 0; i < parts.Count; i++)
                {
                    var path = $"{input.Path}.output[{i}]";
                    var part = ResponsesInput.Part(parts, i, $"{input.Path}.output");
                    if (part["type"].AsString() is "input_text" or "output_text" or "input_image")
                    {
                        AddBlock(blocks, part, path);
                    }
                    else
                    {
                        throw new TranslationException(400, $"{path}.type: '{part["type"].AsString()}' cannot be part of a tool result for this model's provider.");
                    }
                }

                result["content"] = blocks;
            }
            else
            {
                throw new TranslationException(400, $"{input.Path}.output: must be a string or an array of content parts.");
            }

            return result;
        }

        private JsonArray UserBlocks(JsonNode? content, string path)
        {
            var blocks = new JsonArray();
            if (content.AsString() is { } text)
            {
                if (text.Length > 0)
                {
                    blocks.Add(TextBlock(text));
                }

                return blocks;
            }

            if (content is not JsonArray parts)
            {
                throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
            }

            for (var i = 0; i < parts.Count; i++)
            {
                AddBlock(blocks, ResponsesInput.Part(parts, i, path), $"{path}.content[{i}]");
            }

            return blocks;
        }

        private void AddBlock(JsonArray blocks, JsonObject part, string path)
        {
            switch (part["type"].AsString())
            {
                case "input_text" or "output_text" or "text":
                    // Anthropic rejects empty text blocks.
                    if (ResponsesInput.RequiredString(part, "text", path) is { Length: > 0 } text)
                    {
                        blocks.Add(TextBlock(text));
                    }

                    break;
                case "input_image":
                    var url = part["image_url"].AsString()
                        ?? throw new TranslationException(400, $"{path}: only images given by image_url can be translated (file_id refers to a file stored on OpenAI).");
                    if (part["detail"].AsString() is { } detail and not "auto")
                    {
                        ctx.Drop($"dropped: input_image detail {detail}");
                    }

                    RequireBase64(url, path);
                    blocks.Add(OpenAIToAnthropicRequest.Image(url));
                    break;
                case "input_file":
                    blocks.Add(Document(part, path));
                    break;
                case var other:
                    throw new TranslationException(400, $"{path}.type: content part type '{other}' is not supported by this model's provider.");
            }
        }

        /// <summary>A PDF or plain-text file as a <c>document</c> block; anything else cannot be read by Claude and is refused.</summary>
        private static JsonObject Document(JsonObject part, string path)
        {
            JsonObject source;
            if (part["file_data"].AsString() is { } data)
            {
                var dataUrl = data.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? data : "data:application/pdf;base64," + data;
                RequireBase64(dataUrl, path);
                source = (JsonObject)OpenAIToAnthropicRequest.Image(dataUrl)["source"]!.DeepClone();
                var mediaType = source["media_type"].AsString();
                if (mediaType == "text/plain")
                {
                    source = new JsonObject { ["type"] = "text", ["media_type"] = "text/plain", ["data"] = DecodeText(source["data"].AsString()!, path) };
                }
                else if (mediaType != "application/pdf")
                {
                    throw new TranslationException(400, $"{path}: file type '{mediaType}' is not supported by this model's provider (PDF and plain text only).");
                }
            }
            else if (part["file_url"].AsString() is { } fileUrl)
            {
                source = new JsonObject { ["type"] = "url", ["url"] = fileUrl };
            }
            else
            {
                throw new TranslationException(400, $"{path}: only files given by file_data or file_url can be translated (file_id refers to a file stored on OpenAI).");
            }

            var document = new JsonObject { ["type"] = "document", ["source"] = source };
            if (part["filename"].AsString() is { } filename)
            {
                document["title"] = filename;
            }

            return document;
        }

        private static string DecodeText(string base64, string path)
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            }
            catch (FormatException)
            {
                throw new TranslationException(400, $"{path}.file_data: not valid base64.");
            }
        }

        /// <summary>Anthropic takes data URLs only as base64 sources; any other data URL is refused here rather than upstream.</summary>
        private static void RequireBase64(string url, string path)
        {
            if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && url.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase) <= 5)
            {
                throw new TranslationException(400, $"{path}: a data URL must be base64 ('data:<media type>;base64,…').");
            }
        }
    }
}
