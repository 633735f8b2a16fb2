using System.Runtime.InteropServices;
using System.Text.Json;

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
/// <para>Written in one pass over the parsed body (a <see cref="JsonDocument"/>, shared with the inspector) with a
/// <see cref="Utf8JsonWriter"/> into a pooled buffer: instructions, texts, tool schemas and call arguments are copied value
/// by value, never built into an object model.</para>
/// </remarks>
public static class ResponsesToOpenAIRequest
{
    /// <summary>Item types that neither write a message nor end the assistant turn a following call joins.</summary>
    private static readonly string[] s_droppedItemTypes = ["reasoning", "web_search_call", "tool_search_call", "tool_search_output"];

    public static byte[] Translate(ReadOnlyMemory<byte> responsesJson, TranslationContext ctx)
    {
        using var doc = JsonInput.ParseObject(responsesJson, "request body");
        return Translate(doc.RootElement, ctx);
    }

    /// <summary>As <see cref="Translate(ReadOnlyMemory{byte}, TranslationContext)"/> on a body the gateway already parsed: one parse serves inspection and translation.</summary>
    public static byte[] Translate(JsonElement request, TranslationContext ctx) => TranslatedBody.ToArray(request, ctx, Translate);

    /// <summary>As <see cref="Translate(JsonElement, TranslationContext)"/>, into pooled memory the caller owns (the gateway sends it from there).</summary>
    public static void Translate(JsonElement request, TranslationContext ctx, PooledBufferWriter output)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "The request body must be a JSON object.");
        }

        using (var writer = new Utf8JsonWriter(output, JsonOutput.WriterOptions))
        {
            try
            {
                Write(request, writer, ctx);
            }
            catch (InvalidOperationException) when (JsonInput.HasLoneSurrogateEscape(JsonMarshal.GetRawUtf8Value(request)))
            {
                // Valid JSON, but a string the translator reads or copies cannot be unescaped: the client's text, not a bug here.
                throw new TranslationException(400, "The request body has a \\u escape of half a UTF-16 surrogate pair (\\ud800-\\udfff) that is not part of a pair: not valid text.");
            }
        }
    }

    private static void Write(JsonElement request, Utf8JsonWriter w, TranslationContext ctx)
    {
        var reasoningModel = ModelFamilies.IsOpenAIReasoningModel(ctx.Model);
        var tools = ResponsesTools.Read(request.Prop("tools"), ctx);
        w.WriteStartObject();
        w.WriteString("model", ctx.Model);
        w.WritePropertyName("messages");
        w.WriteStartArray();
        if (request.Prop("instructions") is { } instructions)
        {
            if (instructions.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException(400, "instructions: must be a string.");
            }

            WriteMessage("system", instructions, w);
        }

        WriteInput(ResponsesInput.CheckItems(request), tools, w, ctx);
        w.WriteEndArray();

        ResponsesToolChoice? toolChoice = null;
        foreach (var property in request.EnumerateObject())
        {
            var name = property.Name;
            if (!ResponsesRequestFields.MustTranslate(name, property.Value.NotNull(), toAnthropic: false, ctx) || ResponsesInput.TryCommonField(name, property.Value, ctx))
            {
                continue;
            }

            var value = property.Value;
            switch (name)
            {
                case "input" or "instructions" or "tools":
                    break;
                case "tool_choice":
                    toolChoice = tools.Choice(value);
                    break;
                case "parallel_tool_calls":
                    var parallel = ResponsesInput.Bool(value, name);

                    // Chat rejects parallel_tool_calls without tools.
                    if (tools.Declared.Count > 0)
                    {
                        w.WriteBoolean("parallel_tool_calls", parallel);
                    }

                    break;
                case "max_output_tokens":
                    // Reasoning models reject max_tokens ("Use max_completion_tokens instead").
                    w.WriteNumber(reasoningModel ? "max_completion_tokens" : "max_tokens", OutputLimits.Clamp(name, ResponsesInput.PositiveInteger(value, name), ctx));
                    break;
                case "temperature" or "top_p":
                    var number = ResponsesInput.Number(value, name);
                    if (reasoningModel)
                    {
                        ctx.Drop($"{name} (not supported by reasoning model {ctx.Model})");
                    }
                    else
                    {
                        w.WriteNumber(name, number);
                    }

                    break;
                case "text":
                    WriteText(value, w, ctx);
                    break;
                case "reasoning":
                    if (ResponsesInput.ReasoningEffort(value, summaryHonoured: false, ctx) is { } effort)
                    {
                        if (reasoningModel)
                        {
                            w.WriteString("reasoning_effort", effort);
                            ctx.Note($"reasoning.effort {effort} → reasoning_effort {effort}");
                        }
                        else
                        {
                            ctx.Drop($"reasoning.effort (model {ctx.Model} takes no reasoning_effort)");
                        }
                    }

                    break;
                case "include":
                    ResponsesInput.Include(value, honoured: null, ctx);
                    break;
                case "user":
                    w.WriteString("user", AnthropicToOpenAIRequest.OpenAIUser(value.NotNull().AsString() ?? throw new TranslationException(400, "user: must be a string."), ctx, "user"));
                    break;
                case "safety_identifier" or "prompt_cache_key" or "prompt_cache_retention" or "service_tier":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        throw new TranslationException(400, $"{name}: must be a string.");
                    }

                    w.WritePropertyName(name);
                    value.WriteTo(w);
                    break;
                case "metadata":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        throw new TranslationException(400, "metadata: must be an object.");
                    }

                    w.WritePropertyName("metadata");
                    value.WriteTo(w);
                    break;
                default:
                    ctx.Drop($"{name}");
                    break;
            }
        }

        if (ctx.ClientStream)
        {
            w.WriteBoolean("stream", true);

            // Without it Chat streams carry no usage, and the Responses client's response.completed needs it.
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
        }

        WriteTools(tools, toolChoice, w);
        w.WriteEndObject();
    }

    private static void WriteMessage(string role, JsonElement content, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WritePropertyName("content");
        content.WriteTo(w);
        w.WriteEndObject();
    }

    /// <summary>
    /// The input items in order. An assistant message stays open in the writer while <c>function_call</c> items join it as
    /// <c>tool_calls</c>; any other message or a tool output closes it.
    /// </summary>
    private static void WriteInput(JsonElement input, ResponsesTools tools, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            WriteMessage("user", input, w);
            return;
        }

        var assistant = AssistantTurn.None;

        // Non-text parts of tool outputs: Chat wants every tool message right after the tool_calls, so these
        // follow the whole run of outputs in one user message.
        List<(string CallId, JsonElement Parts, string Path)>? toolOutputParts = null;
        var items = input.EnumerateArray();
        var index = 0;
        while (items.MoveNext())
        {
            var item = items.Current;
            var type = ResponsesInput.ItemType(item)!;
            var path = $"input[{index++}]";
            if (type is not "function_call_output" and not "custom_tool_call_output")
            {
                FlushToolOutputParts(ref toolOutputParts, w);
            }

            switch (type)
            {
                case "message":
                    EndAssistant(ref assistant, w);
                    assistant = WriteMessageItem(item, path, CallFollows(items), w, ctx);
                    break;
                case "function_call":
                {
                    var name = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", path), item.Prop("namespace").AsString());
                    if (item.Prop("arguments") is not { ValueKind: JsonValueKind.String } arguments)
                    {
                        throw new TranslationException(400, $"{path}.arguments: required (a string of JSON).");
                    }

                    StartToolCall(ref assistant, ResponsesInput.RequiredString(item, "call_id", path), name, w);
                    arguments.WriteTo(w);
                    EndToolCall(w);
                    break;
                }

                case "custom_tool_call":
                {
                    var name = tools.UpstreamName(ResponsesInput.RequiredString(item, "name", path), item.Prop("namespace").AsString());
                    var customInput = ResponsesInput.RequiredText(item, "input", path);
                    StartToolCall(ref assistant, ResponsesInput.RequiredString(item, "call_id", path), name, w);
                    WriteCustomArguments(customInput, w);
                    EndToolCall(w);
                    break;
                }

                case "function_call_output" or "custom_tool_call_output":
                    EndAssistant(ref assistant, w);
                    WriteToolOutput(item, path, ref toolOutputParts, w);
                    break;
                case "reasoning":
                    ctx.Drop("reasoning item (Chat Completions takes no reasoning back)");
                    break;
                case "web_search_call" or "tool_search_call" or "tool_search_output":
                    ctx.Drop($"{type} item");
                    break;
                case "item_reference":
                    throw new TranslationException(400, $"{path}: item_reference points at a stored item; {ResponsesRequestFields.StatelessMessage}");
                default:
                    throw new TranslationException(400, $"{path}.type: input item type '{type}' is not supported by this model's provider.");
            }
        }

        EndAssistant(ref assistant, w);
        FlushToolOutputParts(ref toolOutputParts, w);
    }

    /// <summary>What of an assistant message is open in the writer: nothing, the message, or the message and its tool_calls array.</summary>
    private enum AssistantTurn
    {
        None,
        Open,
        Calls,
    }

    /// <summary>Whether a call joins the assistant message just read: the next item that is not dropped is a call.</summary>
    private static bool CallFollows(JsonElement.ArrayEnumerator items)
    {
        // A copy of the enumerator: reading ahead leaves the caller's where it is.
        while (items.MoveNext())
        {
            var type = items.Current.Prop("type");
            if (type.Is("function_call") || type.Is("custom_tool_call"))
            {
                return true;
            }

            if (!IsDroppedItem(type))
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsDroppedItem(JsonElement? type)
    {
        foreach (var dropped in s_droppedItemTypes)
        {
            if (type.Is(dropped))
            {
                return true;
            }
        }

        return false;
    }

    private static void EndAssistant(ref AssistantTurn assistant, Utf8JsonWriter w)
    {
        if (assistant == AssistantTurn.Calls)
        {
            w.WriteEndArray();
        }

        if (assistant != AssistantTurn.None)
        {
            w.WriteEndObject();
        }

        assistant = AssistantTurn.None;
    }

    /// <summary>Opens a tool call in the assistant message (which a call without one opens, with no content) and writes its id and name.</summary>
    private static void StartToolCall(ref AssistantTurn assistant, string callId, string name, Utf8JsonWriter w)
    {
        if (assistant == AssistantTurn.None)
        {
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteNull("content");
            assistant = AssistantTurn.Open;
        }

        if (assistant == AssistantTurn.Open)
        {
            w.WriteStartArray("tool_calls");
            assistant = AssistantTurn.Calls;
        }

        w.WriteStartObject();
        w.WriteString("id", callId);
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", name);
        w.WritePropertyName("arguments");
    }

    private static void EndToolCall(Utf8JsonWriter w)
    {
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The arguments of a <c>custom_tool_call</c> as sent upstream: the freeform input under <see cref="ResponsesTools.CustomInputProperty"/>, as a string of JSON.</summary>
    private static void WriteCustomArguments(JsonElement input, Utf8JsonWriter w)
    {
        using var arguments = new PooledBufferWriter(JsonMarshal.GetRawUtf8Value(input).Length + 16);
        using (var json = new Utf8JsonWriter(arguments, JsonOutput.WriterOptions))
        {
            json.WriteStartObject();
            json.WritePropertyName(ResponsesTools.CustomInputProperty);
            input.WriteTo(json);
            json.WriteEndObject();
        }

        w.WriteStringValue(arguments.WrittenSpan);
    }

    private static void FlushToolOutputParts(ref List<(string CallId, JsonElement Parts, string Path)>? pending, Utf8JsonWriter w)
    {
        if (pending is null)
        {
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        foreach (var (callId, parts, path) in pending)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", $"(returned by tool call {callId})");
            w.WriteEndObject();
            var i = 0;
            foreach (var part in parts.EnumerateArray())
            {
                if (!IsToolOutputText(part))
                {
                    ContentPart(part, $"{path}.output[{i}]", w);
                }

                i++;
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
        pending = null;
    }

    /// <summary>A message item; returns <see cref="AssistantTurn.Open"/> when it is an assistant message, left open for the calls that follow.</summary>
    private static AssistantTurn WriteMessageItem(JsonElement item, string path, bool callFollows, Utf8JsonWriter w, TranslationContext ctx)
    {
        var role = ResponsesInput.Role(item, path);
        if (item.Prop("phase") is not null)
        {
            ctx.Drop("message phase");
        }

        var content = item.Prop("content");
        switch (role)
        {
            case "system" or "developer":
                w.WriteStartObject();
                w.WriteString("role", "system");
                w.WritePropertyName("content");
                WriteSystemContent(content, path, w);
                w.WriteEndObject();
                return AssistantTurn.None;
            case "assistant":
                w.WriteStartObject();
                w.WriteString("role", "assistant");
                w.WritePropertyName("content");
                WriteAssistantText(content, path, callFollows, w);
                return AssistantTurn.Open;
            default:
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WritePropertyName("content");
                WriteUserContent(content, path, w, ctx);
                w.WriteEndObject();
                return AssistantTurn.None;
        }
    }

    /// <summary>One text part is sent as a plain string; several stay separate text parts, as the model saw them.</summary>
    private static void WriteSystemContent(JsonElement? content, string path, Utf8JsonWriter w)
    {
        if (content is { ValueKind: JsonValueKind.String } whole)
        {
            whole.WriteTo(w);
            return;
        }

        var parts = ResponsesInput.Parts(content, $"{path}.content");
        if (parts.GetArrayLength() == 1)
        {
            ResponsesInput.TextPart(parts[0], path, 0).WriteTo(w);
            return;
        }

        w.WriteStartArray();
        var i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var text = ResponsesInput.TextPart(part, path, i++);
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WritePropertyName("text");
            text.WriteTo(w);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The text of an assistant message (output_text and refusal parts, which the model wrote as one text); null when empty and a tool call joins it.</summary>
    private static void WriteAssistantText(JsonElement? content, string path, bool callFollows, Utf8JsonWriter w)
    {
        if (content is { ValueKind: JsonValueKind.String } whole)
        {
            if (callFollows && whole.IsEmptyString())
            {
                w.WriteNullValue();
            }
            else
            {
                whole.WriteTo(w);
            }

            return;
        }

        using var text = new Utf8Text();
        ResponsesInput.AppendTextParts(text, content, path);

        if (callFollows && text.IsEmpty)
        {
            w.WriteNullValue();
        }
        else
        {
            text.WriteTo(w);
        }
    }

    private static void WriteUserContent(JsonElement? content, string path, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (content is { ValueKind: JsonValueKind.String } text)
        {
            text.WriteTo(w);
            return;
        }

        var parts = ResponsesInput.Parts(content, $"{path}.content");

        // One text part is sent as a plain string: the widest-supported form among OpenAI-compatible servers.
        if (parts.GetArrayLength() == 1 && ResponsesInput.Part(parts[0], path, 0).Prop("type") is var type && (type.Is("input_text") || type.Is("output_text") || type.Is("text")))
        {
            ResponsesInput.RequiredText(parts[0], "text", $"{path}.content[0]").WriteTo(w);
            return;
        }

        w.WriteStartArray();
        var i = 0;
        foreach (var item in parts.EnumerateArray())
        {
            var part = ResponsesInput.Part(item, path, i);
            if (part.Prop("type").Is("input_image") && part.Prop("detail").Is("original"))
            {
                ctx.Note("input_image detail original sent as high");
            }

            ContentPart(part, $"{path}.content[{i}]", w);
            i++;
        }

        w.WriteEndArray();
    }

    private static bool IsToolOutputText(JsonElement part) => part.Prop("type") is var type && (type.Is("input_text") || type.Is("output_text"));

    /// <summary>
    /// A tool output: a tool message with its text parts; its other parts (checked here, in order) are kept for the user
    /// message that follows the run of outputs (<see cref="FlushToolOutputParts"/>), since tool messages carry text only.
    /// </summary>
    private static void WriteToolOutput(JsonElement item, string path, ref List<(string CallId, JsonElement Parts, string Path)>? toolOutputParts, Utf8JsonWriter w)
    {
        var callId = ResponsesInput.RequiredString(item, "call_id", path);
        var output = item.Prop("output");
        if (output is { ValueKind: JsonValueKind.String } text)
        {
            WriteToolMessage(callId, w);
            text.WriteTo(w);
            w.WriteEndObject();
            return;
        }

        var parts = ResponsesInput.Parts(output, $"{path}.output");
        var texts = 0;
        var others = 0;
        JsonElement firstText = default;
        var i = 0;
        foreach (var entry in parts.EnumerateArray())
        {
            var part = ResponsesInput.Part(entry, $"{path}.output", i);
            if (IsToolOutputText(part))
            {
                var partText = ResponsesInput.RequiredText(part, "text", $"{path}.output[{i}]");
                if (texts++ == 0)
                {
                    firstText = partText;
                }
            }
            else
            {
                ContentPart(part, $"{path}.output[{i}]", null);
                others++;
            }

            i++;
        }

        WriteToolMessage(callId, w);
        if (texts == 0)
        {
            w.WriteStringValue("");
        }
        else if (texts == 1)
        {
            firstText.WriteTo(w);
        }
        else
        {
            w.WriteStartArray();
            foreach (var part in parts.EnumerateArray())
            {
                if (IsToolOutputText(part))
                {
                    w.WriteStartObject();
                    w.WriteString("type", "text");
                    w.WritePropertyName("text");
                    part.GetProperty("text").WriteTo(w);
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        if (others > 0)
        {
            (toolOutputParts ??= []).Add((callId, parts, path));
        }
    }

    /// <summary>Starts a tool message, up to its content.</summary>
    private static void WriteToolMessage(string callId, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("role", "tool");
        w.WriteString("tool_call_id", callId);
        w.WritePropertyName("content");
    }

    /// <summary>A content part in Chat form; checked only when <paramref name="w"/> is null.</summary>
    private static void ContentPart(JsonElement part, string path, Utf8JsonWriter? w)
    {
        var type = part.Prop("type");
        if (type.Is("input_text") || type.Is("output_text") || type.Is("text"))
        {
            var text = ResponsesInput.RequiredText(part, "text", path);
            if (w is not null)
            {
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WritePropertyName("text");
                text.WriteTo(w);
                w.WriteEndObject();
            }
        }
        else if (type.Is("input_image"))
        {
            if (part.Prop("image_url") is not { ValueKind: JsonValueKind.String } url)
            {
                throw new TranslationException(400, $"{path}: only images given by image_url can be translated (file_id refers to a file stored on OpenAI).");
            }

            if (w is not null)
            {
                w.WriteStartObject();
                w.WriteString("type", "image_url");
                w.WriteStartObject("image_url");
                w.WritePropertyName("url");
                url.WriteTo(w);
                if (part.Prop("detail") is { ValueKind: JsonValueKind.String } detail)
                {
                    w.WritePropertyName("detail");
                    if (detail.ValueEquals("original"))
                    {
                        w.WriteStringValue("high");
                    }
                    else
                    {
                        detail.WriteTo(w);
                    }
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }
        }
        else if (type.Is("input_file"))
        {
            if (part.Prop("file_data") is not { ValueKind: JsonValueKind.String } data)
            {
                throw new TranslationException(400, $"{path}: only files given inline by file_data can be translated (file_id and file_url are not supported by this model's provider).");
            }

            if (w is not null)
            {
                w.WriteStartObject();
                w.WriteString("type", "file");
                w.WriteStartObject("file");
                w.WritePropertyName("file_data");
                data.WriteTo(w);
                if (part.Prop("filename") is { ValueKind: JsonValueKind.String } filename)
                {
                    w.WritePropertyName("filename");
                    filename.WriteTo(w);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }
        }
        else
        {
            throw new TranslationException(400, $"{path}.type: content part type '{type.AsString()}' is not supported by this model's provider.");
        }
    }

    private static void WriteText(JsonElement value, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (ResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } format)
        {
            w.WriteStartObject("response_format");
            w.WriteString("type", "json_schema");
            w.WriteStartObject("json_schema");
            w.WritePropertyName("name");
            if (format.Prop("name") is { ValueKind: JsonValueKind.String } name)
            {
                name.WriteTo(w);
            }
            else
            {
                w.WriteStringValue("response");
            }

            w.WritePropertyName("schema");
            format.GetProperty("schema").WriteTo(w);
            if (format.Prop("description") is { ValueKind: JsonValueKind.String } description)
            {
                w.WritePropertyName("description");
                description.WriteTo(w);
            }

            if (format.Prop("strict").AsBool() is { } strict)
            {
                w.WriteBoolean("strict", strict);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }
        else if (jsonObject)
        {
            w.WriteStartObject("response_format");
            w.WriteString("type", "json_object");
            w.WriteEndObject();
        }

        if (value.Prop("verbosity") is { ValueKind: JsonValueKind.String } verbosity)
        {
            // Chat Completions takes verbosity for the GPT-5 family only.
            if (IsGpt5(ctx.Model))
            {
                w.WritePropertyName("verbosity");
                verbosity.WriteTo(w);
            }
            else
            {
                ctx.Drop($"text.verbosity (model {ctx.Model} takes no verbosity)");
            }
        }
    }

    private static bool IsGpt5(string model)
        => ModelFamilies.IsOpenAIReasoningModel(model) && model.AsSpan(model.LastIndexOf('/') + 1).StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase);

    private static void WriteTools(ResponsesTools tools, ResponsesToolChoice? choice, Utf8JsonWriter w)
    {
        if (tools.Declared.Count == 0)
        {
            // Chat rejects tool_choice / parallel_tool_calls without tools. Requiring a tool when only hosted
            // ones were declared (and dropped) would force a tool the provider cannot run.
            if (choice?.Mode == "required")
            {
                throw new TranslationException(400, "tool_choice: 'required' needs a function tool; the declared tools are hosted tools this model's provider cannot run.");
            }

            return;
        }

        w.WriteStartArray("tools");
        foreach (var tool in tools.Declared)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", tool.UpstreamName);
            ResponsesTools.WriteDescriptionAndSchema(tool, "description", "parameters", w);
            if (!tool.Custom && tool.Tool.Prop("strict").AsBool() is { } strict)
            {
                w.WriteBoolean("strict", strict);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (choice is null)
        {
            return;
        }

        if (choice.Name is not null)
        {
            w.WritePropertyName("tool_choice");
            WriteFunctionRef(choice.Name, w);
        }
        else if (choice.Allowed is not null)
        {
            w.WriteStartObject("tool_choice");
            w.WriteString("type", "allowed_tools");
            w.WriteStartObject("allowed_tools");
            w.WriteString("mode", choice.Mode);
            w.WriteStartArray("tools");
            foreach (var name in choice.Allowed)
            {
                WriteFunctionRef(name, w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("tool_choice", choice.Mode);
        }
    }

    private static void WriteFunctionRef(string name, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("type", "function");
        w.WriteStartObject("function");
        w.WriteString("name", name);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
