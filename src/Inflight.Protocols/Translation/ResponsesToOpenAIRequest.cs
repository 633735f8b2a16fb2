using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// OpenAI Responses request (<c>POST /v1/responses</c>) → OpenAI Chat Completions request. The field
/// policy is <see cref="ResponsesRequestFields"/>; tools follow <see cref="ResponsesTools"/>.
/// </summary>
/// <remarks>
/// Input items: <c>message</c> items keep their position (<c>developer</c> and <c>system</c> become
/// <c>system</c> messages); <c>function_call</c> and <c>custom_tool_call</c> items join the assistant
/// message before them as <c>tool_calls</c>; their outputs become <c>tool</c> messages (images in an
/// output follow in a user message, since tool messages carry text only). <c>reasoning</c>,
/// <c>web_search_call</c> and <c>tool_search_call</c>/<c>tool_search_output</c> items are dropped and
/// recorded (Chat Completions cannot take them back). <c>item_reference</c>, <c>compaction</c>, file ids,
/// file URLs, audio and any other item type are refused.
/// </remarks>
public static class ResponsesToOpenAIRequest
{
    public static byte[] Translate(ReadOnlySpan<byte> responsesJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(responsesJson, "request body");
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        var tools = ResponsesTools.Read(request["tools"], ctx);
        var output = new JsonObject { ["model"] = ctx.Model };
        var messages = new JsonArray();

        if (request["instructions"] is not null)
        {
            var text = ResponsesInput.TakeString(request, "instructions") ?? throw new TranslationException(400, "instructions: must be a string.");
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
        }

        AddInput(ResponsesInput.Items(request), tools, messages, ctx);
        output["messages"] = messages;

        ResponsesToolChoice? toolChoice = null;
        foreach (var (name, value) in request)
        {
            if (!ResponsesRequestFields.MustTranslate(name, value, toAnthropic: false, ctx) || ResponsesInput.TryCommonField(name, value!, ctx))
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
                    output["parallel_tool_calls"] = ResponsesInput.Bool(value!, name);
                    break;
                case "max_output_tokens":
                    // Reasoning models reject max_tokens ("Use max_completion_tokens instead").
                    output[reasoningModel ? "max_completion_tokens" : "max_tokens"] = OutputLimits.Clamp(name, ResponsesInput.PositiveInteger(value!, name), ctx);
                    break;
                case "temperature" or "top_p":
                    var number = ResponsesInput.Number(value!, name);
                    if (reasoningModel)
                    {
                        ctx.Drop($"{name} (not supported by reasoning model {ctx.Model})");
                    }
                    else
                    {
                        output[name] = number;
                    }

                    break;
                case "text":
                    AddText(value!, output, ctx);
                    break;
                case "reasoning":
                    if (ResponsesInput.ReasoningEffort(value!, summaryHonoured: false, ctx)?.AsString() is { } effort)
                    {
                        if (reasoningModel)
                        {
                            output["reasoning_effort"] = effort;
                            ctx.Note($"reasoning.effort {effort} → reasoning_effort {effort}");
                        }
                        else
                        {
                            ctx.Drop($"reasoning.effort (model {ctx.Model} takes no reasoning_effort)");
                        }
                    }

                    break;
                case "include":
                    ResponsesInput.Include(value!, honoured: null, ctx);
                    break;
                case "user":
                    output["user"] = AnthropicToOpenAIRequest.OpenAIUser(value.AsString() ?? throw new TranslationException(400, "user: must be a string."), ctx, "user");
                    break;
                case "safety_identifier" or "prompt_cache_key" or "prompt_cache_retention" or "service_tier":
                    output[name] = value.AsString() ?? throw new TranslationException(400, $"{name}: must be a string.");
                    break;
                case "metadata":
                    output["metadata"] = value as JsonObject is { } metadata ? metadata.DeepClone() : throw new TranslationException(400, "metadata: must be an object.");
                    break;
                default:
                    ctx.Drop($"{name}");
                    break;
            }
        }

        if (ctx.ClientStream)
        {
            output["stream"] = true;

            // Without it Chat streams carry no usage, and the Responses client's response.completed needs it.
            output["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        AddTools(tools, toolChoice, output);
        return JsonOutput.ToBytes(output);
    }

    private static void AddInput(List<InputItem> items, ResponsesTools tools, JsonArray messages, TranslationContext ctx)
    {
        // The assistant message that a following function_call joins; any other message closes it.
        JsonObject? assistant = null;

        // Non-text parts of tool outputs: Chat wants every tool message right after the tool_calls, so these
        // follow the whole run of outputs in one user message.
        var toolOutputParts = new JsonArray();
        foreach (var input in items)
        {
            var item = input.Item;
            if (input.Type is not "function_call_output" and not "custom_tool_call_output")
            {
                FlushToolOutputParts(toolOutputParts, messages);
            }

            switch (input.Type)
            {
                case "message":
                    assistant = AddMessage(input, messages, ctx);
                    break;
                case "function_call":
                    var functionName = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", input.Path), item["namespace"].AsString());
                    var arguments = ResponsesInput.TakeString(item, "arguments") ?? throw new TranslationException(400, $"{input.Path}.arguments: required (a string of JSON).");
                    assistant = AddToolCall(assistant, messages, ResponsesInput.RequiredString(item, "call_id", input.Path), functionName, arguments);
                    break;
                case "custom_tool_call":
                    var customName = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", input.Path), item["namespace"].AsString());
                    var customInput = ResponsesInput.RequiredString(item, "input", input.Path);
                    assistant = AddToolCall(assistant, messages, ResponsesInput.RequiredString(item, "call_id", input.Path), customName, ResponsesInput.CustomArguments(customInput));
                    break;
                case "function_call_output" or "custom_tool_call_output":
                    AddToolOutput(input, messages, toolOutputParts);
                    assistant = null;
                    break;
                case "reasoning":
                    ctx.Drop("reasoning item (Chat Completions takes no reasoning back)");
                    break;
                case "web_search_call" or "tool_search_call" or "tool_search_output":
                    ctx.Drop($"{input.Type} item");
                    break;
                case "item_reference":
                    throw new TranslationException(400, $"{input.Path}: item_reference points at a stored item; {ResponsesRequestFields.StatelessMessage}");
                default:
                    throw new TranslationException(400, $"{input.Path}.type: input item type '{input.Type}' is not supported by this model's provider.");
            }
        }

        FlushToolOutputParts(toolOutputParts, messages);
    }

    private static void FlushToolOutputParts(JsonArray parts, JsonArray messages)
    {
        if (parts.Count == 0)
        {
            return;
        }

        var content = new JsonArray();
        foreach (var part in parts.ToArray())
        {
            parts.Remove(part);
            content.Add(part);
        }

        messages.Add(new JsonObject { ["role"] = "user", ["content"] = content });
    }

    private static JsonObject? AddMessage(InputItem input, JsonArray messages, TranslationContext ctx)
    {
        var role = ResponsesInput.Role(input);
        if (input.Item["phase"] is not null)
        {
            ctx.Drop("message phase");
        }

        switch (role)
        {
            case "system" or "developer":
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = SystemContent(ResponsesInput.TakeTextParts(input.Item, input.Path)) });
                return null;
            case "assistant":
                var assistant = new JsonObject { ["role"] = "assistant", ["content"] = ResponsesInput.Text(input.Item, input.Path) };
                messages.Add(assistant);
                return assistant;
            default:
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = UserContent(input.Item, input.Path, ctx) });
                return null;
        }
    }

    /// <summary>One part is sent as a plain string; several stay separate text parts, as the model saw them.</summary>
    private static JsonNode SystemContent(List<JsonNode> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var array = new JsonArray();
        foreach (var part in parts)
        {
            array.Add(new JsonObject { ["type"] = "text", ["text"] = part });
        }

        return array;
    }

    private static JsonObject AddToolCall(JsonObject? assistant, JsonArray messages, string callId, string name, JsonNode arguments)
    {
        if (assistant is null)
        {
            assistant = new JsonObject { ["role"] = "assistant", ["content"] = null };
            messages.Add(assistant);
        }

        if (assistant["tool_calls"] is not JsonArray calls)
        {
            calls = [];
            assistant["tool_calls"] = calls;

            // Chat Completions: content may be null when tool_calls are present.
            if (assistant["content"].AsString() is "")
            {
                assistant["content"] = null;
            }
        }

        calls.Add(new JsonObject
        {
            ["id"] = callId,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
        });
        return assistant;
    }

    private static void AddToolOutput(InputItem input, JsonArray messages, JsonArray toolOutputParts)
    {
        var callId = ResponsesInput.RequiredString(input.Item, "call_id", input.Path);
        if (ResponsesInput.TakeString(input.Item, "output") is { } text)
        {
            messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = callId, ["content"] = text });
            return;
        }

        if (input.Item["output"] is not JsonArray parts)
        {
            throw new TranslationException(400, $"{input.Path}.output: must be a string or an array of content parts.");
        }

        var textParts = new JsonArray();
        var otherParts = new JsonArray();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = ResponsesInput.Part(parts, i, $"{input.Path}.output");
            if (part["type"].AsString() is "input_text" or "output_text")
            {
                textParts.Add(new JsonObject { ["type"] = "text", ["text"] = ResponsesInput.TakeRequiredString(part, "text", $"{input.Path}.output[{i}]") });
            }
            else
            {
                // Tool messages carry text only; other parts go to the user turn that follows.
                otherParts.Add(ContentPart(part, $"{input.Path}.output[{i}]"));
            }
        }

        JsonNode toolContent = textParts.Count switch
        {
            0 => "",
            1 => textParts[0]!["text"]!.DeepClone(),
            _ => textParts,
        };
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = callId, ["content"] = toolContent });
        if (otherParts.Count > 0)
        {
            toolOutputParts.Add(new JsonObject { ["type"] = "text", ["text"] = $"(returned by tool call {callId})" });
            foreach (var part in otherParts.ToArray())
            {
                otherParts.Remove(part);
                toolOutputParts.Add(part);
            }
        }
    }

    private static JsonNode UserContent(JsonObject item, string path, TranslationContext ctx)
    {
        if (ResponsesInput.TakeString(item, "content") is { } text)
        {
            return text;
        }

        if (item["content"] is not JsonArray parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        var result = new JsonArray();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = ResponsesInput.Part(parts, i, path);
            if (part["type"].AsString() is "input_image" && part["detail"].AsString() is "original")
            {
                ctx.Note("input_image detail original sent as high");
            }

            result.Add(ContentPart(part, $"{path}.content[{i}]"));
        }

        // One text part is sent as a plain string: the widest-supported form among OpenAI-compatible servers.
        return result.Count == 1 && result[0]!["type"].AsString() == "text" ? result[0]!["text"]!.DeepClone() : result;
    }

    private static JsonObject ContentPart(JsonObject part, string path)
    {
        switch (part["type"].AsString())
        {
            case "input_text" or "output_text" or "text":
                return new JsonObject { ["type"] = "text", ["text"] = ResponsesInput.TakeRequiredString(part, "text", path) };
            case "input_image":
                if (part["image_url"].AsString() is not { } url)
                {
                    throw new TranslationException(400, $"{path}: only images given by image_url can be translated (file_id refers to a file stored on OpenAI).");
                }

                var image = new JsonObject { ["url"] = url };
                if (part["detail"].AsString() is { } detail)
                {
                    image["detail"] = detail == "original" ? "high" : detail;
                }

                return new JsonObject { ["type"] = "image_url", ["image_url"] = image };
            case "input_file":
                if (part["file_data"].AsString() is not { } data)
                {
                    throw new TranslationException(400, $"{path}: only files given inline by file_data can be translated (file_id and file_url are not supported by this model's provider).");
                }

                var file = new JsonObject { ["file_data"] = data };
                if (part["filename"].AsString() is { } filename)
                {
                    file["filename"] = filename;
                }

                return new JsonObject { ["type"] = "file", ["file"] = file };
            case var other:
                throw new TranslationException(400, $"{path}.type: content part type '{other}' is not supported by this model's provider.");
        }
    }

    private static void AddText(JsonNode value, JsonObject output, TranslationContext ctx)
    {
        if (ResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } schema)
        {
            var jsonSchema = new JsonObject { ["name"] = schema["name"].AsString() ?? "response", ["schema"] = schema["schema"]!.DeepClone() };
            if (schema["description"].AsString() is { } description)
            {
                jsonSchema["description"] = description;
            }

            if (schema["strict"].AsBool() is { } strict)
            {
                jsonSchema["strict"] = strict;
            }

            output["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = jsonSchema };
        }
        else if (jsonObject)
        {
            output["response_format"] = new JsonObject { ["type"] = "json_object" };
        }

        if (value["verbosity"].AsString() is { } verbosity)
        {
            // Chat Completions takes verbosity for the GPT-5 family only.
            if (IsGpt5(ctx.Model))
            {
                output["verbosity"] = verbosity;
            }
            else
            {
                ctx.Drop($"text.verbosity (model {ctx.Model} takes no verbosity)");
            }
        }
    }

    private static bool IsGpt5(string model)
        => ModelFamilies.IsOpenAIReasoningModel(model) && model.AsSpan(model.LastIndexOf('/') + 1).StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase);

    private static void AddTools(ResponsesTools tools, ResponsesToolChoice? choice, JsonObject output)
    {
        if (tools.Functions.Count == 0)
        {
            // Chat rejects tool_choice / parallel_tool_calls without tools. Requiring a tool when only hosted
            // ones were declared (and dropped) would force a tool the provider cannot run.
            if (choice?.Mode == "required")
            {
                throw new TranslationException(400, "tool_choice: 'required' needs a function tool; the declared tools are hosted tools this model's provider cannot run.");
            }

            output.Remove("parallel_tool_calls");
            return;
        }

        var converted = new JsonArray();
        foreach (var tool in tools.Functions)
        {
            var function = new JsonObject { ["name"] = tool.UpstreamName };
            if (tool.Description is not null)
            {
                function["description"] = tool.Description;
            }

            function["parameters"] = tool.Parameters;
            if (tool.Strict is { } strict)
            {
                function["strict"] = strict;
            }

            converted.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        output["tools"] = converted;
        if (choice is null)
        {
            return;
        }

        if (choice.Name is not null)
        {
            output["tool_choice"] = FunctionRef(choice.Name);
        }
        else if (choice.Allowed is not null)
        {
            var allowed = new JsonArray();
            foreach (var name in choice.Allowed)
            {
                allowed.Add(FunctionRef(name));
            }

            output["tool_choice"] = new JsonObject
            {
                ["type"] = "allowed_tools",
                ["allowed_tools"] = new JsonObject { ["mode"] = choice.Mode, ["tools"] = allowed },
            };
        }
        else
        {
            output["tool_choice"] = choice.Mode;
        }
    }

    private static JsonObject FunctionRef(string name)
        => new() { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name } };
}
