using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// A copy of <see cref="ResponsesToOpenAIRequest"/> as it was on a <c>JsonNode</c> model, with the helpers it used
/// (<see cref="ReferenceResponsesInput"/>, <see cref="ReferenceResponsesTools"/>), before it became one pass over a
/// <c>JsonDocument</c> into a pooled writer: <see cref="ResponsesToOpenAIRequestEquivalenceTests"/> holds the new one to the
/// same bytes, notes, tool names and errors.
/// OpenAI Responses request (<c>POST /v1/responses</c>) → OpenAI Chat Completions request. The field
/// policy is <see cref="ResponsesRequestFields"/>; tools follow <see cref="ReferenceResponsesTools"/>.
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
internal static class ReferenceResponsesToOpenAIRequest
{
    public static byte[] Translate(ReadOnlySpan<byte> responsesJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(responsesJson, "request body");
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        var tools = ReferenceResponsesTools.Read(request["tools"], ctx);
        var output = new JsonObject { ["model"] = ctx.Model };
        var messages = new JsonArray();

        if (request["instructions"] is not null)
        {
            var text = ReferenceResponsesInput.TakeString(request, "instructions") ?? throw new TranslationException(400, "instructions: must be a string.");
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
        }

        AddInput(ReferenceResponsesInput.Items(request), tools, messages, ctx);
        output["messages"] = messages;

        ReferenceResponsesToolChoice? toolChoice = null;
        foreach (var (name, value) in request)
        {
            if (!ResponsesRequestFields.MustTranslate(name, value, toAnthropic: false, ctx) || ReferenceResponsesInput.TryCommonField(name, value!, ctx))
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
                    output["parallel_tool_calls"] = ReferenceResponsesInput.Bool(value!, name);
                    break;
                case "max_output_tokens":
                    // Reasoning models reject max_tokens ("Use max_completion_tokens instead").
                    output[reasoningModel ? "max_completion_tokens" : "max_tokens"] = OutputLimits.Clamp(name, ReferenceResponsesInput.PositiveInteger(value!, name), ctx);
                    break;
                case "temperature" or "top_p":
                    var number = ReferenceResponsesInput.Number(value!, name);
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
                    if (ReferenceResponsesInput.ReasoningEffort(value!, summaryHonoured: false, ctx)?.AsString() is { } effort)
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
                    ReferenceResponsesInput.Include(value!, honoured: null, ctx);
                    break;
                case "user":
                    output["user"] = OpenAIUser(value.AsString() ?? throw new TranslationException(400, "user: must be a string."), ctx, "user");
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

    private static void AddInput(List<ReferenceInputItem> items, ReferenceResponsesTools tools, JsonArray messages, TranslationContext ctx)
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
                    var functionName = tools.UpstreamName(ReferenceResponsesInput.RequiredString(item, "name", input.Path), item["namespace"].AsString());
                    var arguments = ReferenceResponsesInput.TakeString(item, "arguments") ?? throw new TranslationException(400, $"{input.Path}.arguments: required (a string of JSON).");
                    assistant = AddToolCall(assistant, messages, ReferenceResponsesInput.RequiredString(item, "call_id", input.Path), functionName, arguments);
                    break;
                case "custom_tool_call":
                    var customName = tools.UpstreamName(ReferenceResponsesInput.RequiredString(item, "name", input.Path), item["namespace"].AsString());
                    var customInput = ReferenceResponsesInput.RequiredString(item, "input", input.Path);
                    assistant = AddToolCall(assistant, messages, ReferenceResponsesInput.RequiredString(item, "call_id", input.Path), customName, ReferenceResponsesInput.CustomArguments(customInput));
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

    private static JsonObject? AddMessage(ReferenceInputItem input, JsonArray messages, TranslationContext ctx)
    {
        var role = ReferenceResponsesInput.Role(input);
        if (input.Item["phase"] is not null)
        {
            ctx.Drop("message phase");
        }

        switch (role)
        {
            case "system" or "developer":
                messages.Add(new JsonObject { ["role"] = "system", ["content"] = SystemContent(ReferenceResponsesInput.TakeTextParts(input.Item, input.Path)) });
                return null;
            case "assistant":
                var assistant = new JsonObject { ["role"] = "assistant", ["content"] = ReferenceResponsesInput.Text(input.Item, input.Path) };
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

    private static void AddToolOutput(ReferenceInputItem input, JsonArray messages, JsonArray toolOutputParts)
    {
        var callId = ReferenceResponsesInput.RequiredString(input.Item, "call_id", input.Path);
        if (ReferenceResponsesInput.TakeString(input.Item, "output") is { } text)
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
            var part = ReferenceResponsesInput.Part(parts, i, $"{input.Path}.output");
            if (part["type"].AsString() is "input_text" or "output_text")
            {
                textParts.Add(new JsonObject { ["type"] = "text", ["text"] = ReferenceResponsesInput.TakeRequiredString(part, "text", $"{input.Path}.output[{i}]") });
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
        if (ReferenceResponsesInput.TakeString(item, "content") is { } text)
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
            var part = ReferenceResponsesInput.Part(parts, i, path);
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
                return new JsonObject { ["type"] = "text", ["text"] = ReferenceResponsesInput.TakeRequiredString(part, "text", path) };
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
        if (ReferenceResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } schema)
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

    private static void AddTools(ReferenceResponsesTools tools, ReferenceResponsesToolChoice? choice, JsonObject output)
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

    /// <summary>Copy of <c>AnthropicToOpenAIRequest.OpenAIUser</c> as it was: a user id over 64 characters becomes its SHA-256 in hex.</summary>
    private static string OpenAIUser(string userId, TranslationContext ctx, string field)
    {
        if (userId.Length <= 64)
        {
            return userId;
        }

        ctx.Note($"{field} → user (SHA-256, over 64 characters)");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)));
    }
}

/// <summary>One item of a Responses <c>input</c>: the object, its path for error messages, and its type.</summary>
internal readonly record struct ReferenceInputItem(JsonObject Item, string Path, string Type);

/// <summary>
/// Reading a Responses request the same way for every target: the input items, text content, and the
/// request-level fields whose meaning does not depend on the target (state, truncation). Each
/// translator writes its own format from these.
/// </summary>
internal static class ReferenceResponsesInput
{
    /// <summary><c>input</c> as items: a string is one user message; an item without a type but with a role is a message.</summary>
    public static List<ReferenceInputItem> Items(JsonObject request)
    {
        var items = new List<ReferenceInputItem>();
        if (TakeString(request, "input") is { } text)
        {
            items.Add(new ReferenceInputItem(new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = text }, "input", "message"));
            return items;
        }

        if (request["input"] is not JsonArray array)
        {
            throw new TranslationException(400, "input: field required (a string or an array of input items).");
        }

        for (var i = 0; i < array.Count; i++)
        {
            var path = $"input[{i}]";
            if (array[i] is not JsonObject item)
            {
                throw new TranslationException(400, $"{path}: each input item must be an object.");
            }

            var type = item["type"].AsString() ?? (item["role"] is not null ? "message" : null)
                ?? throw new TranslationException(400, $"{path}.type: required.");
            items.Add(new ReferenceInputItem(item, path, type));
        }

        return items;
    }

    public static string Role(ReferenceInputItem message)
    {
        var role = message.Item["role"].AsString();
        return role is "user" or "assistant" or "system" or "developer"
            ? role
            : throw new TranslationException(400, $"{message.Path}.role: must be 'user', 'assistant', 'system' or 'developer'.");
    }

    /// <summary>The text of an assistant message (output_text and refusal parts, which the model wrote as one text).</summary>
    public static string Text(JsonObject item, string path)
    {
        var parts = TakeTextParts(item, path);
        return parts.Count == 1 ? parts[0].GetValue<string>() : string.Concat(parts.Select(p => p.GetValue<string>()));
    }

    /// <summary>
    /// The text parts of system/developer content (each kept apart, as the model saw them) or of an
    /// assistant message; any other part is refused. The parts are string nodes taken out of the request
    /// (see <see cref="TakeString"/>).
    /// </summary>
    public static List<JsonNode> TakeTextParts(JsonObject item, string path)
    {
        if (TakeString(item, "content") is { } whole)
        {
            return [whole];
        }

        if (item["content"] is not JsonArray parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        var texts = new List<JsonNode>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var part = Part(parts, i, path);
            var field = part["type"].AsString() switch
            {
                "input_text" or "output_text" or "text" => "text",
                "refusal" => "refusal",
                var other => throw new TranslationException(400, $"{path}.content[{i}].type: '{other}' is not allowed here (text parts only)."),
            };
            texts.Add(TakeString(part, field) ?? throw new TranslationException(400, $"{path}.content[{i}]: {field} must be a string."));
        }

        return texts;
    }

    /// <summary>
    /// A string field taken out of its object (null when it is not a string). Detached, the node moves into
    /// the translated body as is: a string read from the request is written back from its UTF-8 bytes,
    /// never decoded into a .NET string, which matters for system prompts of tens of kilobytes.
    /// </summary>
    public static JsonNode? TakeString(JsonObject obj, string field)
    {
        if (obj[field] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        obj.Remove(field);
        return value;
    }

    /// <summary><see cref="TakeString"/> for a required field.</summary>
    public static JsonNode TakeRequiredString(JsonObject obj, string field, string path)
        => TakeString(obj, field) ?? throw new TranslationException(400, $"{path}.{field}: required (a string).");

    /// <summary>Whether a string node is empty, without decoding it.</summary>
    public static bool IsEmptyString(JsonNode text)
        => text is JsonValue v && v.TryGetValue<JsonElement>(out var element) ? element.ValueEquals(""u8) : text.GetValue<string>().Length == 0;

    public static JsonObject Part(JsonArray parts, int i, string path)
        => parts[i] as JsonObject ?? throw new TranslationException(400, $"{path}.content[{i}]: must be an object.");

    public static string RequiredString(JsonObject item, string field, string path)
        => item[field].AsString() ?? throw new TranslationException(400, $"{path}.{field}: required (a string).");

    /// <summary>The arguments of a <c>custom_tool_call</c> as sent upstream: the freeform input under <see cref="ReferenceResponsesTools.CustomInputProperty"/>.</summary>
    public static string CustomArguments(string input)
        => new JsonObject { [ReferenceResponsesTools.CustomInputProperty] = input }.ToJsonString(JsonOutput.SerializerOptions);

    /// <summary>The fields whose handling is the same for every target; false when <paramref name="name"/> is not one of them.</summary>
    public static bool TryCommonField(string name, JsonNode value, TranslationContext ctx)
    {
        switch (name)
        {
            case "store":
                if (value.AsBool() == true)
                {
                    ctx.Note("store: true — not stored (Inflight keeps no responses for translated providers)");
                }

                return true;
            case "background":
                if (value.AsBool() == true)
                {
                    throw new TranslationException(400, "background: background responses are stored for polling; " + ResponsesRequestFields.StatelessMessage);
                }

                return true;
            case "truncation":
                if (value.AsString() == "auto")
                {
                    ctx.Drop("truncation auto (the provider fails a request over its context window instead)");
                }

                return true;
            case "stream":
                ctx.ClientStream = Bool(value, name);
                return true;
            case "model":
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>include</c> values other than <paramref name="honoured"/> ask for output the provider cannot give; each is recorded.</summary>
    public static void Include(JsonNode value, string? honoured, TranslationContext ctx)
    {
        if (value is not JsonArray values)
        {
            throw new TranslationException(400, "include: must be an array of strings.");
        }

        foreach (var v in values)
        {
            var s = v.AsString() ?? throw new TranslationException(400, "include: must be an array of strings.");
            if (s != honoured)
            {
                ctx.Drop($"include {s}");
            }
        }
    }

    /// <summary>
    /// The JSON-schema format of <c>text.format</c>: name, schema, strict, description. Null for plain text
    /// and json_object (the caller handles that).
    /// </summary>
    public static JsonObject? TextFormat(JsonNode? text, out bool jsonObject, TranslationContext ctx)
    {
        jsonObject = false;
        if (text is not JsonObject config)
        {
            throw new TranslationException(400, "text: must be an object.");
        }

        foreach (var (key, _) in config)
        {
            if (key is not "format" and not "verbosity")
            {
                ctx.Drop($"text.{key}");
            }
        }

        if (config["format"] is not { } formatNode)
        {
            return null;
        }

        var format = formatNode as JsonObject ?? throw new TranslationException(400, "text.format: must be an object.");

        switch (format["type"].AsString())
        {
            case "text":
                return null;
            case "json_object":
                jsonObject = true;
                return null;
            case "json_schema":
                if (format["schema"] is not JsonObject)
                {
                    throw new TranslationException(400, "text.format.schema: required (a JSON schema object).");
                }

                return format;
            default:
                throw new TranslationException(400, "text.format.type: must be 'text', 'json_object' or 'json_schema'.");
        }
    }

    /// <summary>The client's <c>reasoning.effort</c> (null when absent), recording the reasoning fields no target carries.</summary>
    public static JsonNode? ReasoningEffort(JsonNode value, bool summaryHonoured, TranslationContext ctx)
    {
        if (value is not JsonObject reasoning)
        {
            throw new TranslationException(400, "reasoning: must be an object.");
        }

        JsonNode? effort = null;
        foreach (var (key, v) in reasoning)
        {
            switch (key)
            {
                case "effort" when v is not null:
                    _ = v.AsString() ?? throw new TranslationException(400, "reasoning.effort: must be a string.");
                    effort = v;
                    break;
                case "summary" or "generate_summary" when v is not null && !summaryHonoured:
                    ctx.Drop($"reasoning.{key}");
                    break;
                case "effort" or "summary" or "generate_summary":
                    break;
                default:
                    if (v is not null)
                    {
                        ctx.Drop($"reasoning.{key}");
                    }

                    break;
            }
        }

        return effort;
    }

    /// <summary>A JSON number that must be a positive integer (max_output_tokens).</summary>
    public static long PositiveInteger(JsonNode value, string name)
        => value is JsonValue v && v.TryGetValue<long>(out var n) && n > 0
            ? n
            : throw new TranslationException(400, $"{name}: must be a positive integer.");

    public static double Number(JsonNode value, string name)
        => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
            ? d
            : throw new TranslationException(400, $"{name}: must be a number.");

    public static bool Bool(JsonNode value, string name)
        => value.AsBool() ?? throw new TranslationException(400, $"{name}: must be true or false.");
}

/// <summary>
/// A Responses client tool as the upstream sees it: one function. <see cref="UpstreamName"/> is what the
/// provider calls it (a <c>namespace</c> tool flattened); <see cref="Parameters"/> is the JSON schema as
/// the client wrote it, detached from the request so the translated body can take it over (once).
/// </summary>
internal sealed record ReferenceFunctionToolSpec(string UpstreamName, string? Description, JsonNode Parameters, bool? Strict);

/// <summary>
/// A Responses <c>tool_choice</c>: <see cref="Mode"/> is auto, none or required; <see cref="Name"/> is the one
/// upstream function it forces; <see cref="Allowed"/> the upstream functions <c>allowed_tools</c> keeps.
/// </summary>
internal sealed record ReferenceResponsesToolChoice(string Mode, string? Name, List<string>? Allowed);

/// <summary>
/// The <c>tools</c> of a Responses request, read once and shared by both request translators: which
/// tools become upstream functions, which are refused or dropped, and how client names map to upstream
/// names (<see cref="TranslationContext.ToolNamesForClient"/>), so output translation can map calls back.
/// </summary>
/// <remarks>
/// Policy for hosted tools ("refuse when dropping changes what the model does"):
/// <list type="bullet">
/// <item><c>web_search</c> (all versions) and <c>tool_search</c> are dropped and recorded. Both are offers
/// the model may decline; the Codex CLI declares them on every request, so refusing would make it unusable
/// on every translated provider. Forcing one with <c>tool_choice</c> is refused.</item>
/// <item><c>file_search</c>, <c>code_interpreter</c>, <c>image_generation</c>, <c>computer_use_preview</c>,
/// <c>mcp</c>, <c>local_shell</c>, <c>shell</c>, <c>apply_patch</c> and any unknown type are refused:
/// the client declared them because it expects their results (its files searched, code run, an image made,
/// its MCP server called), and no translated provider can produce them.</item>
/// </list>
/// </remarks>
internal sealed class ReferenceResponsesTools
{
    /// <summary>The one string argument a <c>custom</c> (freeform) tool takes when it is sent as a function (Codex's own JSON form of apply_patch).</summary>
    public const string CustomInputProperty = "input";

    /// <summary>OpenAI and Anthropic both limit a function name to 64 characters of <c>[A-Za-z0-9_-]</c>.</summary>
    private const int MaxNameLength = 64;

    private const string NamespaceSeparator = "__";

    private static readonly HashSet<string> s_droppedHostedTools = new(StringComparer.Ordinal)
    {
        "web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11", "tool_search",
    };

    private readonly Dictionary<(string? Namespace, string Name), string> _upstreamNames = [];
    private readonly HashSet<string> _customNames = new(StringComparer.Ordinal);

    public List<ReferenceFunctionToolSpec> Functions { get; } = [];

    /// <summary>Hosted tool types that were declared and dropped; <c>tool_choice</c> must not force one.</summary>
    public HashSet<string> DroppedHostedTypes { get; } = new(StringComparer.Ordinal);

    public static ReferenceResponsesTools Read(JsonNode? tools, TranslationContext ctx)
    {
        var result = new ReferenceResponsesTools();
        if (tools is null)
        {
            return result;
        }

        if (tools is not JsonArray array)
        {
            throw new TranslationException(400, "tools: must be an array of tools.");
        }

        // Flat names first: a flattened namespace name must not take a name the client already uses.
        var flatNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in array)
        {
            if (tool is JsonObject t && t["type"].AsString() is "function" or "custom" && t["name"].AsString() is { } name)
            {
                flatNames.Add(name);
            }
        }

        for (var i = 0; i < array.Count; i++)
        {
            result.Add(array[i] as JsonObject ?? throw new TranslationException(400, $"tools[{i}]: must be an object."), $"tools[{i}]", null, flatNames, ctx);
        }

        return result;
    }

    /// <summary>The upstream name for a call in the history (<c>function_call</c> / <c>custom_tool_call</c>), declared or not.</summary>
    public string UpstreamName(string name, string? ns)
    {
        if (_upstreamNames.TryGetValue((ns, name), out var upstream))
        {
            return upstream;
        }

        return ns is null ? name : Flatten(ns, name, null);
    }

    /// <summary>
    /// <c>tool_choice</c> read against the declared tools: a mode (auto, none, required), one named tool, or
    /// <c>allowed_tools</c> (a mode and the subset of tools). Forcing a hosted tool that was dropped is
    /// refused: the client demanded a tool the provider cannot run.
    /// </summary>
    public ReferenceResponsesToolChoice Choice(JsonNode value)
    {
        if (value.AsString() is { } mode)
        {
            return mode is "auto" or "none" or "required"
                ? new ReferenceResponsesToolChoice(mode, null, null)
                : throw new TranslationException(400, "tool_choice: must be 'auto', 'none', 'required' or an object.");
        }

        if (value is not JsonObject choice)
        {
            throw new TranslationException(400, "tool_choice: must be a string or an object.");
        }

        var type = choice["type"].AsString();
        switch (type)
        {
            case "function" or "custom":
                return new ReferenceResponsesToolChoice("required", Declared(choice, "tool_choice"), null);
            case "allowed_tools":
                var allowedMode = choice["mode"].AsString() ?? "auto";
                if (allowedMode is not "auto" and not "required" || choice["tools"] is not JsonArray allowed)
                {
                    throw new TranslationException(400, "tool_choice: allowed_tools needs mode 'auto' or 'required' and an array of tools.");
                }

                var names = new List<string>();
                for (var i = 0; i < allowed.Count; i++)
                {
                    var path = $"tool_choice.tools[{i}]";
                    var tool = allowed[i] as JsonObject ?? throw new TranslationException(400, $"{path}: must be an object.");
                    if (tool["type"].AsString() is "function" or "custom")
                    {
                        names.Add(Declared(tool, path));
                    }
                    else
                    {
                        throw new TranslationException(400, $"{path}.type: '{tool["type"].AsString()}' cannot be allowed on this model's provider (only function and custom tools are translated).");
                    }
                }

                return new ReferenceResponsesToolChoice(allowedMode, null, names);
            default:
                throw new TranslationException(400, $"tool_choice: forcing the hosted tool '{type}' is not supported by this model's provider.");
        }
    }

    private string Declared(JsonObject choice, string path)
    {
        var name = choice["name"].AsString() ?? throw new TranslationException(400, $"{path}.name: required (a string).");
        return _upstreamNames.TryGetValue((choice["namespace"].AsString(), name), out var upstream)
            ? upstream
            : throw new TranslationException(400, $"{path}.name: '{name}' is not one of the declared tools.");
    }

    /// <summary>Whether a history call to this client tool name is a custom tool call (its input travels as <c>{"input": …}</c>).</summary>
    public bool IsCustom(string upstreamName) => _customNames.Contains(upstreamName);

    private void Add(JsonObject tool, string path, string? ns, HashSet<string> flatNames, TranslationContext ctx)
    {
        var type = tool["type"].AsString();
        switch (type)
        {
            case "function":
                AddFunction(tool, path, ns, flatNames, ctx);
                break;
            case "custom":
                AddCustom(tool, path, ns, flatNames, ctx);
                break;
            case "namespace" when ns is null:
                var nsName = RequiredName(tool, path);
                if (tool["tools"] is not JsonArray members)
                {
                    throw new TranslationException(400, $"{path}.tools: a namespace tool needs an array of tools.");
                }

                for (var i = 0; i < members.Count; i++)
                {
                    Add(members[i] as JsonObject ?? throw new TranslationException(400, $"{path}.tools[{i}]: must be an object."), $"{path}.tools[{i}]", nsName, flatNames, ctx);
                }

                if (tool["description"] is not null)
                {
                    ctx.Drop("namespace tool description");
                }

                break;
            case not null when s_droppedHostedTools.Contains(type):
                DroppedHostedTypes.Add(type);
                ctx.Drop($"hosted tool {type}");
                break;
            default:
                throw new TranslationException(400, $"{path}.type: tool type '{type}' is not supported by this model's provider (only function, custom and namespace tools can be translated).");
        }
    }

    private void AddFunction(JsonObject tool, string path, string? ns, HashSet<string> flatNames, TranslationContext ctx)
    {
        var name = RequiredName(tool, path);
        JsonNode parameters = tool["parameters"] switch
        {
            JsonObject schema => schema,
            null => EmptyObjectSchema(),
            _ => throw new TranslationException(400, $"{path}.parameters: must be a JSON schema object."),
        };

        // Detached from the request, the schema moves into the translated body without a copy.
        tool.Remove("parameters");

        if (tool["defer_loading"].AsBool() == true)
        {
            ctx.Drop("tool defer_loading (the tool is sent up front)");
        }

        var upstream = Register(name, ns, flatNames, ClientToolKind.Function, ctx);
        Functions.Add(new ReferenceFunctionToolSpec(upstream, tool["description"].AsString(), parameters, tool["strict"].AsBool()));
    }

    /// <summary>
    /// A custom (freeform) tool becomes a function taking one string, <see cref="CustomInputProperty"/>. A
    /// grammar or regex format cannot be enforced upstream; it is written into the description instead,
    /// so the model still sees the syntax it must follow.
    /// </summary>
    private void AddCustom(JsonObject tool, string path, string? ns, HashSet<string> flatNames, TranslationContext ctx)
    {
        var name = RequiredName(tool, path);
        var description = new StringBuilder(tool["description"].AsString() ?? "");
        if (tool["format"] is JsonObject format && format["type"].AsString() == "grammar")
        {
            ctx.Note("custom tool grammar written into the tool description (not enforced)");
            description.Append("\n\nThe input must follow this ").Append(format["syntax"].AsString() ?? "").Append(" grammar:\n").Append(format["definition"].AsString());
        }

        var upstream = Register(name, ns, flatNames, ClientToolKind.Custom, ctx);
        _customNames.Add(upstream);
        var parameters = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                [CustomInputProperty] = new JsonObject { ["type"] = "string", ["description"] = "The tool's freeform input." },
            },
            ["required"] = new JsonArray(CustomInputProperty),
            ["additionalProperties"] = false,
        };
        Functions.Add(new ReferenceFunctionToolSpec(upstream, description.Length > 0 ? description.ToString() : null, parameters, null));
    }

    private string Register(string name, string? ns, HashSet<string> flatNames, ClientToolKind kind, TranslationContext ctx)
    {
        var upstream = ns is null ? name : Flatten(ns, name, flatNames);
        if (!_upstreamNames.TryAdd((ns, name), upstream))
        {
            throw new TranslationException(400, $"tools: '{(ns is null ? name : ns + "." + name)}' is declared twice.");
        }

        if (ns is not null || kind != ClientToolKind.Function)
        {
            ctx.ToolNamesForClient ??= new Dictionary<string, ClientToolName>(StringComparer.Ordinal);
            ctx.ToolNamesForClient[upstream] = new ClientToolName(name, ns) { Kind = kind };
        }

        return upstream;
    }

    /// <summary>
    /// <c>namespace__name</c> when that is a valid upstream name no flat tool uses; otherwise a valid prefix of
    /// it plus a hash of both parts. Deterministic, so a call in the history maps to the same name as the
    /// tool declared in this request.
    /// </summary>
    internal static string Flatten(string ns, string name, HashSet<string>? flatNames)
    {
        var joined = ns + NamespaceSeparator + name;
        if (joined.Length <= MaxNameLength && IsValidName(joined) && flatNames?.Contains(joined) != true)
        {
            return joined;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ns + "\0" + name)))[..8];
        var prefix = new StringBuilder(MaxNameLength);
        foreach (var c in joined)
        {
            if (prefix.Length == MaxNameLength - hash.Length - 1)
            {
                break;
            }

            prefix.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return prefix.Append('_').Append(hash).ToString();
    }

    private static bool IsValidName(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string RequiredName(JsonObject tool, string path)
        => tool["name"].AsString() is { Length: > 0 } name ? name : throw new TranslationException(400, $"{path}.name: required (a non-empty string).");

    internal static JsonObject EmptyObjectSchema() => new() { ["type"] = "object", ["properties"] = new JsonObject() };
}
