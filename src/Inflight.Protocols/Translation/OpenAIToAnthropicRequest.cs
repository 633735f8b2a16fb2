using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// OpenAI Chat Completions request → Anthropic Messages request. Every top-level field is in
/// <see cref="Fields"/>: translated, dropped and noted on the context, or refused with a 400 that names it.
/// </summary>
/// <remarks>
/// Decisions where the APIs differ:
/// <list type="bullet">
/// <item><c>n</c> &gt; 1 is refused (400): Anthropic returns one candidate, and silently sending one would mislead.</item>
/// <item><c>response_format</c> <c>json_schema</c> becomes Anthropic's native structured output
/// (<c>output_config.format</c>); <c>json_object</c>, which Anthropic lacks, a system instruction (noted).</item>
/// <item>Missing <c>max_tokens</c> (required by Anthropic) becomes <see cref="TranslationContext.DefaultMaxTokens"/>;
/// any value is clamped to the model's output limit.</item>
/// <item><c>temperature</c> above 1 (OpenAI allows 0–2, Anthropic 0–1) is clamped to 1.</item>
/// <item><c>reasoning_effort</c> becomes adaptive thinking with <c>output_config.effort</c> on current Claude
/// models, a thinking budget on older ones; never together with a forced tool_choice, and never on a tool
/// continuation whose assistant turn carries no thinking block (Anthropic rejects both).</item>
/// <item>Audio inputs and file ids are refused: dropping them would make the model answer about content it never saw.</item>
/// </list>
/// The request is read once from a <see cref="JsonDocument"/> (the gateway's own parse) and written with a
/// <see cref="Utf8JsonWriter"/> into pooled buffers: tool schemas, texts and tool-call inputs are copied value by
/// value, never built into an object model.
/// </remarks>
public static class OpenAIToAnthropicRequest
{
    /// <summary>The policy for every top-level OpenAI field; a field not listed is dropped and noted.</summary>
    internal static readonly FrozenDictionary<string, FieldPolicy> Fields = new Dictionary<string, FieldPolicy>
    {
        ["model"] = FieldPolicy.Translated("replaced by the routed model"),
        ["messages"] = FieldPolicy.Translated("messages; system/developer messages join the system prompt"),
        ["max_tokens"] = FieldPolicy.Translated("max_tokens, clamped to the model's output limit"),
        ["max_completion_tokens"] = FieldPolicy.Translated("max_tokens, clamped to the model's output limit"),
        ["temperature"] = FieldPolicy.Translated("temperature, clamped to Anthropic's 0–1; dropped with thinking"),
        ["top_p"] = FieldPolicy.Translated("top_p; dropped with thinking below 0.95"),
        ["stop"] = FieldPolicy.Translated("stop_sequences"),
        ["stream"] = FieldPolicy.Translated("stream"),
        ["stream_options"] = FieldPolicy.Translated("include_usage decides the final usage chunk"),
        ["user"] = FieldPolicy.Translated("metadata.user_id"),
        ["tools"] = FieldPolicy.Translated("tools (function.strict → strict); non-function tools dropped"),
        ["functions"] = FieldPolicy.Translated("tools (the deprecated form)"),
        ["tool_choice"] = FieldPolicy.Translated("auto/any/none/tool; allowed_tools limits the tools sent; a choice naming a dropped tool is downgraded to auto"),
        ["function_call"] = FieldPolicy.Translated("tool_choice (the deprecated form)"),
        ["parallel_tool_calls"] = FieldPolicy.Translated("tool_choice.disable_parallel_tool_use"),
        ["reasoning_effort"] = FieldPolicy.Translated("adaptive thinking + output_config.effort, or a thinking budget on older models"),
        ["response_format"] = FieldPolicy.Translated("json_schema → output_config.format; json_object → a system instruction"),
        ["n"] = FieldPolicy.Translated("1 is the only value Anthropic can honour; more is refused"),
        ["seed"] = FieldPolicy.Dropped("Anthropic has no seeded sampling"),
        ["frequency_penalty"] = FieldPolicy.Dropped("no counterpart"),
        ["presence_penalty"] = FieldPolicy.Dropped("no counterpart"),
        ["logit_bias"] = FieldPolicy.Dropped("no counterpart"),
        ["logprobs"] = FieldPolicy.Dropped("Anthropic returns no log probabilities; the answer carries logprobs: null"),
        ["top_logprobs"] = FieldPolicy.Dropped("as logprobs"),
        ["store"] = FieldPolicy.Dropped("OpenAI's stored completions"),
        ["metadata"] = FieldPolicy.Dropped("OpenAI's stored-completion tags"),
        ["service_tier"] = FieldPolicy.Dropped("OpenAI capacity tiers"),
        ["prediction"] = FieldPolicy.Dropped("predicted outputs only speed OpenAI up"),
        ["prompt_cache_key"] = FieldPolicy.Dropped("OpenAI's cache routing hint"),
        ["safety_identifier"] = FieldPolicy.Dropped("OpenAI's abuse-monitoring id"),
        ["verbosity"] = FieldPolicy.Dropped("no counterpart"),
        ["web_search_options"] = FieldPolicy.Refused("the model would answer without the web search it was asked to use"),
        ["audio"] = FieldPolicy.Refused("Anthropic produces no audio"),
        ["modalities"] = FieldPolicy.Translated("[\"text\"] is the only value Anthropic can honour; audio is refused"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private const string JsonObjectInstruction = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

    /// <summary>The top-level Anthropic fields written from the client's fields, in the order the client's fields first set them.</summary>
    private enum Slot
    {
        Temperature,
        TopP,
        StopSequences,
        Stream,
        Metadata,
        Tools,
        OutputConfig,
    }

    private enum Role
    {
        None,
        User,
        Assistant,
    }

    /// <summary>Parses and translates a request body; anything but a UTF-8 JSON object is a 400.</summary>
    public static byte[] Translate(ReadOnlyMemory<byte> openAIJson, TranslationContext ctx)
    {
        using var doc = JsonInput.ParseObject(openAIJson, "request body");
        return Translate(doc.RootElement, ctx);
    }

    /// <summary>
    /// As <see cref="Translate(ReadOnlyMemory{byte}, TranslationContext)"/> on a body the gateway already parsed: one parse
    /// serves inspection and translation. Returns the only per-request array the size of the body: the output.
    /// </summary>
    public static byte[] Translate(JsonElement request, TranslationContext ctx) => TranslatedBody.ToArray(request, ctx, Translate);

    /// <summary>As <see cref="Translate(JsonElement, TranslationContext)"/>, into pooled memory the caller owns (the gateway sends it from there).</summary>
    public static void Translate(JsonElement request, TranslationContext ctx, PooledBufferWriter output)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "The request body must be a JSON object.");
        }

        if (request.Prop("n") is { } n && ((JsonElement?)n).AsLong() is not 1)
        {
            throw new TranslationException(400, "n > 1 is not supported by this model's provider (Anthropic returns a single choice); send n=1 or omit it.");
        }

        if (request.Prop("messages") is not { ValueKind: JsonValueKind.Array } messages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        using var translation = new Translation(ctx, JsonMarshal.GetRawUtf8Value(messages).Length);
        try
        {
            translation.Run(request, messages, output);
        }
        catch (InvalidOperationException) when (JsonInput.HasLoneSurrogateEscape(JsonMarshal.GetRawUtf8Value(request)))
        {
            // Valid JSON, but a string the translator reads or copies cannot be unescaped: the client's text, not a bug here.
            throw LoneSurrogate();
        }
    }

    private static TranslationException LoneSurrogate()
        => new(400, "The request body has a \\u escape of half a UTF-16 surrogate pair (\\ud800-\\udfff) that is not part of a pair: not valid text.");

    /// <summary>
    /// One request's translation. The messages are read first and written as they are read into their own buffer
    /// (Anthropic wants them last, but their notes, refusals and system text come first), then the top-level fields in
    /// the client's order; the output is written once everything is known (thinking removes sampling fields, a tool
    /// continuation rules thinking out).
    /// </summary>
    private sealed class Translation : IDisposable
    {
        private readonly TranslationContext _ctx;
        private readonly PooledBufferWriter _messagesBuffer;
        private readonly Utf8JsonWriter _messages;
        private readonly Utf8Text _system = new();
        private readonly List<Slot> _slots = new(8);

        // The conversation as written so far: the open message's role, how many there are, whether the last holds a tool result.
        private Role _open;
        private int _messageCount;
        private bool _lastHasToolResult;

        private double _temperature;
        private double _topP;
        private JsonElement _stop;
        private JsonElement _user;
        private JsonElement _tools;
        private bool _toolsAreFunctions;
        private int _toolCount;
        private JsonElement _formatSchema;
        private long? _maxTokens;
        private string? _choiceType;
        private string? _choiceName;
        private bool _disableParallelToolUse;
        private HashSet<string>? _allowedTools;
        private bool? _parallelToolCalls;
        private JsonElement? _reasoningEffort;

        private bool _temperatureRemoved;
        private bool _topPRemoved;
        private string? _thinkingType;
        private int _thinkingBudget;
        private string? _effort;

        public Translation(TranslationContext context, int messagesLength)
        {
            _ctx = context;
            _messagesBuffer = new PooledBufferWriter(messagesLength + 256);
            _messages = new Utf8JsonWriter(_messagesBuffer, JsonOutput.WriterOptions);
        }

        public void Run(JsonElement request, JsonElement messages, PooledBufferWriter output)
        {
            ReadMessages(messages);
            ReadFields(request);
            var maxTokens = Finish();

            using var w = new Utf8JsonWriter(output, JsonOutput.WriterOptions);
            Write(w, maxTokens);
        }

        public void Dispose()
        {
            _messages.Dispose();
            _messagesBuffer.Dispose();
            _system.Dispose();
        }

        private void ReadMessages(JsonElement messages)
        {
            _messages.WriteStartArray();
            var i = 0;
            foreach (var item in messages.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException(400, $"messages.{i}: each message must be an object.");
                }

                JsonElement? message = item;
                if (message.Prop("name") is not null)
                {
                    _ctx.Drop("messages[].name");
                }

                var role = message.Prop("role");
                if (role.Is("system") || role.Is("developer"))
                {
                    if (_messageCount > 0)
                    {
                        _ctx.Note("system message after the first turn moved to the system prompt");
                    }

                    AppendContentText(message.Prop("content"), i, _system);
                }
                else if (role.Is("user"))
                {
                    AddUser(message.Prop("content"), i);
                }
                else if (role.Is("assistant"))
                {
                    AddAssistant(message, i);
                }
                else if (role.Is("tool") || role.Is("function"))
                {
                    AddToolResult(message, role.Is("function"), i);
                }
                else
                {
                    throw new TranslationException(400, $"messages.{i}.role: must be 'system', 'developer', 'user', 'assistant' or 'tool' (got {JsonInput.Describe(role)}).");
                }

                i++;
            }

            if (_open != Role.None)
            {
                _messages.WriteEndArray();
                _messages.WriteEndObject();
            }

            _messages.WriteEndArray();
            _messages.Flush();
        }

        /// <summary>Before a block of <paramref name="role"/>: Anthropic wants alternating roles, so a block joins the open message of its role (several tool results, a user turn after them) or starts the next message.</summary>
        private void Begin(Role role)
        {
            if (_open == role)
            {
                return;
            }

            if (_open != Role.None)
            {
                _messages.WriteEndArray();
                _messages.WriteEndObject();
            }

            _messages.WriteStartObject();
            _messages.WriteString("role", role == Role.User ? "user" : "assistant");
            _messages.WriteStartArray("content");
            _open = role;
            _messageCount++;
            _lastHasToolResult = false;
        }

        /// <summary>A message's text (a string, or text and refusal parts), each non-empty piece a paragraph of <paramref name="into"/>.</summary>
        private static void AppendContentText(JsonElement? content, int index, Utf8Text into)
        {
            if (content is null)
            {
                return;
            }

            if (content.Value.ValueKind == JsonValueKind.String)
            {
                AppendParagraph(into, content.Value);
                return;
            }

            if (content.Value.ValueKind != JsonValueKind.Array)
            {
                throw new TranslationException(400, $"messages.{index}.content: must be a string or an array of content parts.");
            }

            var i = 0;
            foreach (var item in content.Value.EnumerateArray())
            {
                var part = item.NotNull();
                var type = part.Prop("type");
                if (!(type.Is("text") || type.Is("refusal")) || (part.Prop("text") ?? part.Prop("refusal")) is not { ValueKind: JsonValueKind.String } text)
                {
                    throw new TranslationException(400, $"messages.{index}.content.{i}: must be a text part here (got {JsonInput.Describe(type ?? part)}).");
                }

                AppendParagraph(into, text);
                i++;
            }
        }

        private static void AppendParagraph(Utf8Text into, JsonElement text)
        {
            if (!text.IsEmptyString())
            {
                into.Paragraph().Append(text);
            }
        }

        private void AddUser(JsonElement? content, int index)
        {
            if (content is { ValueKind: JsonValueKind.String } s)
            {
                if (!s.IsEmptyString())
                {
                    Begin(Role.User);
                    WriteText(s);
                }

                return;
            }

            if (content is not { ValueKind: JsonValueKind.Array } parts)
            {
                throw new TranslationException(400, $"messages.{index}.content: must be a string or an array of content parts.");
            }

            var i = 0;
            foreach (var item in parts.EnumerateArray())
            {
                var part = item.NotNull();
                var type = part.Prop("type");
                if (type.Is("text"))
                {
                    var text = part.Prop("text") is { ValueKind: JsonValueKind.String } t ? t : throw new TranslationException(400, $"messages.{index}.content.{i}.text: must be a string.");
                    if (!text.IsEmptyString())
                    {
                        Begin(Role.User);
                        WriteText(text);
                    }
                }
                else if (type.Is("image_url"))
                {
                    var imageUrl = part.Prop("image_url");
                    var url = imageUrl.Prop("url") is { ValueKind: JsonValueKind.String } u ? u
                        : imageUrl is { ValueKind: JsonValueKind.String } bare ? bare
                        : throw new TranslationException(400, $"messages.{index}.content.{i}.image_url.url: must be a string.");
                    Begin(Role.User);
                    WriteImage(url, _messages);
                    if (imageUrl.Prop("detail") is not null)
                    {
                        _ctx.Drop("image_url.detail");
                    }
                }
                else if (type.Is("file"))
                {
                    Begin(Role.User);
                    WriteDocument(part.Prop("file"), $"messages.{index}.content.{i}.file", _messages);
                }
                else
                {
                    throw new TranslationException(400, $"messages.{index}.content.{i}.type: content part type {JsonInput.Describe(type ?? part)} is not supported by this model's provider (text, image_url, file).");
                }

                i++;
            }
        }

        private void WriteText(JsonElement text)
        {
            _messages.WriteStartObject();
            _messages.WriteString("type", "text");
            _messages.WritePropertyName("text");
            text.WriteTo(_messages);
            _messages.WriteEndObject();
        }

        private void WriteText(Utf8Text text)
        {
            _messages.WriteStartObject();
            _messages.WriteString("type", "text");
            _messages.WritePropertyName("text");
            text.WriteTo(_messages);
            _messages.WriteEndObject();
        }

        private void AddAssistant(JsonElement? message, int index)
        {
            var content = message.Prop("content");
            if (content is { ValueKind: JsonValueKind.String } s)
            {
                if (!s.IsEmptyString())
                {
                    Begin(Role.Assistant);
                    WriteText(s);
                }
            }
            else if (content is not null)
            {
                using var text = new Utf8Text();
                AppendContentText(content, index, text);
                if (!text.IsEmpty)
                {
                    Begin(Role.Assistant);
                    WriteText(text);
                }
            }

            if (message.Prop("reasoning_content") is not null || message.Prop("reasoning") is not null)
            {
                // Anthropic thinking blocks need a signature only Anthropic can make.
                _ctx.Drop("assistant reasoning_content");
            }

            if (message.Prop("tool_calls") is { } calls)
            {
                if (calls.ValueKind != JsonValueKind.Array)
                {
                    throw new TranslationException(400, $"messages.{index}.tool_calls: must be an array.");
                }

                var i = 0;
                foreach (var call in calls.EnumerateArray())
                {
                    if (call.ValueKind != JsonValueKind.Object)
                    {
                        throw new TranslationException(400, $"messages.{index}.tool_calls.{i}: must be an object.");
                    }

                    AddToolUse(call.Prop("id"), call.Prop("function"));
                    i++;
                }
            }

            if (message.Prop("function_call") is { } functionCall)
            {
                AddToolUse(null, functionCall);
            }
        }

        private void AddToolUse(JsonElement? id, JsonElement? function)
        {
            var name = function.Prop("name");
            Begin(Role.Assistant);
            _messages.WriteStartObject();
            _messages.WriteString("type", "tool_use");
            _messages.WritePropertyName("id");
            if (id is { ValueKind: JsonValueKind.String } callId)
            {
                callId.WriteTo(_messages);
            }
            else
            {
                _messages.WriteStringValue("call_" + name.AsString());
            }

            _messages.WritePropertyName("name");
            if (name is { ValueKind: JsonValueKind.String } n)
            {
                n.WriteTo(_messages);
            }
            else
            {
                _messages.WriteStringValue("");
            }

            _messages.WritePropertyName("input");
            WriteToolInput(function.Prop("arguments"), _messages, _ctx);
            _messages.WriteEndObject();
        }

        private void AddToolResult(JsonElement? message, bool function, int index)
        {
            using var text = new Utf8Text();
            AppendContentText(message.Prop("content"), index, text);
            Begin(Role.User);
            _lastHasToolResult = true;
            _messages.WriteStartObject();
            _messages.WriteString("type", "tool_result");
            _messages.WritePropertyName("tool_use_id");
            if (function)
            {
                _messages.WriteStringValue("call_" + message.Prop("name").AsString());
            }
            else if (message.Prop("tool_call_id") is { ValueKind: JsonValueKind.String } id)
            {
                id.WriteTo(_messages);
            }
            else
            {
                _messages.WriteStringValue("");
            }

            // Undo AnthropicToOpenAIRequest's marker, so an is_error result survives a round trip.
            var prefix = "[tool error] "u8;
            var isError = text.Span.StartsWith(prefix);
            _messages.WriteString("content", isError ? text.Span[prefix.Length..] : text.Span);
            if (isError)
            {
                _messages.WriteBoolean("is_error", true);
            }

            _messages.WriteEndObject();
        }

        private void ReadFields(JsonElement request)
        {
            foreach (var property in request.EnumerateObject())
            {
                var name = property.Name;
                var value = property.Value.NotNull();
                switch (name)
                {
                    case "model" or "messages" or "n":
                        break;
                    case "max_tokens" or "max_completion_tokens":
                        if (value is not null)
                        {
                            _maxTokens = value.AsLong() is { } l and > 0 ? l : throw new TranslationException(400, $"{name}: must be a positive integer.");
                        }

                        break;
                    case "temperature":
                        if (value is not null)
                        {
                            var t = value.AsDouble() ?? throw new TranslationException(400, "temperature: must be a number.");
                            if (t > 1)
                            {
                                _ctx.Note($"temperature {t} → 1 (Anthropic's range is 0-1)");
                            }

                            _temperature = Math.Min(t, 1.0);
                            Add(Slot.Temperature);
                        }

                        break;
                    case "top_p":
                        if (value is not null)
                        {
                            _topP = value.AsDouble() ?? throw new TranslationException(400, "top_p: must be a number.");
                            Add(Slot.TopP);
                        }

                        break;
                    case "stop":
                        ReadStop(value);
                        break;
                    case "stream":
                        if (value.AsBool() == true)
                        {
                            _ctx.ClientStream = true;
                            Add(Slot.Stream);
                        }

                        break;
                    case "stream_options":
                        _ctx.ClientIncludeUsage = value.Prop("include_usage").AsBool() == true;
                        break;
                    case "user":
                        if (value is { ValueKind: JsonValueKind.String } user)
                        {
                            _user = user;
                            Add(Slot.Metadata);
                        }

                        break;
                    case "tools" or "functions":
                        if (value is { } tools && ReadTools(tools, name == "functions") is var count and > 0)
                        {
                            _tools = tools;
                            _toolsAreFunctions = name == "functions";
                            _toolCount = count;
                            Add(Slot.Tools);
                        }

                        break;
                    case "tool_choice" or "function_call":
                        if (value is { } choice)
                        {
                            ReadToolChoice(choice, name);
                        }

                        break;
                    case "parallel_tool_calls":
                        _parallelToolCalls = value.AsBool();
                        break;
                    case "reasoning_effort":
                        _reasoningEffort = value;
                        break;
                    case "response_format":
                        ReadResponseFormat(value);
                        break;
                    case "modalities":
                        if (value is { ValueKind: JsonValueKind.Array } modalities)
                        {
                            foreach (var modality in modalities.EnumerateArray())
                            {
                                if (!((JsonElement?)modality).Is("text"))
                                {
                                    throw new TranslationException(400, "modalities: only [\"text\"] is supported by this model's provider.");
                                }
                            }
                        }

                        break;
                    default:
                        if (value is null)
                        {
                            break;
                        }

                        if (Fields.TryGetValue(name, out var policy) && policy.Rule == FieldRule.Refused)
                        {
                            throw new TranslationException(400, $"{name}: not supported by this model's provider ({policy.Why}).");
                        }

                        _ctx.Drop(name);
                        break;
                }
            }
        }

        private void Add(Slot slot)
        {
            if (!_slots.Contains(slot))
            {
                _slots.Add(slot);
            }
        }

        private void ReadStop(JsonElement? value)
        {
            if (value is not { } stop)
            {
                return;
            }

            if (stop.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in stop.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw new TranslationException(400, "stop: must be a string or an array of strings.");
                    }
                }

                if (stop.GetArrayLength() == 0)
                {
                    return;
                }
            }
            else if (stop.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException(400, "stop: must be a string or an array of strings.");
            }

            _stop = stop;
            Add(Slot.StopSequences);
        }

        /// <summary>Checks <c>tools</c> (or the deprecated <c>functions</c>); returns how many function tools will be sent, noting each other tool dropped.</summary>
        private int ReadTools(JsonElement tools, bool functions)
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                throw new TranslationException(400, functions ? "functions: must be an array." : "tools: must be an array of tools.");
            }

            var count = 0;
            var i = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    throw new TranslationException(400, functions ? $"functions.{i}: must be an object." : $"tools.{i}: each tool must be an object.");
                }

                if (!functions && ((JsonElement?)tool).Prop("type") is { ValueKind: JsonValueKind.String } type && !type.ValueEquals("function"))
                {
                    _ctx.Drop($"tool type {type.GetString()}");
                }
                else if (FunctionOf(tool, functions) is { ValueKind: JsonValueKind.Object } function)
                {
                    if (!function.Prop("name").IsString())
                    {
                        throw new TranslationException(400, $"{FunctionPath(functions, i)}.name: must be a string.");
                    }

                    if (function.Prop("parameters") is { } parameters && parameters.ValueKind != JsonValueKind.Object)
                    {
                        throw new TranslationException(400, $"{FunctionPath(functions, i)}.parameters: must be a JSON Schema object.");
                    }

                    count++;
                }
                else
                {
                    throw new TranslationException(400, $"tools.{i}.function: must be an object.");
                }

                i++;
            }

            return count;
        }

        private static string FunctionPath(bool functions, int index) => functions ? $"functions.{index}" : $"tools.{index}.function";

        /// <summary>The function a checked tool entry describes; null for a tool of another type (dropped).</summary>
        private static JsonElement? FunctionOf(JsonElement tool, bool functions)
        {
            if (functions)
            {
                return tool;
            }

            var type = ((JsonElement?)tool).Prop("type");
            return type is { ValueKind: JsonValueKind.String } && !type.Is("function") ? null : ((JsonElement?)tool).Prop("function");
        }

        private void ReadToolChoice(JsonElement choice, string field)
        {
            _allowedTools = null;
            if (choice.ValueKind == JsonValueKind.String)
            {
                _choiceName = null;
                _choiceType = choice.ValueEquals("auto") ? "auto"
                    : choice.ValueEquals("required") ? "any"
                    : choice.ValueEquals("none") ? "none"
                    : throw new TranslationException(400, $"{field}: must be 'auto', 'required', 'none' or an object naming a function (got '{choice.GetString()}').");
                return;
            }

            if (choice.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"{field}: must be 'auto', 'required', 'none' or an object naming a function.");
            }

            // {"type":"allowed_tools","allowed_tools":{"mode":"auto"|"required","tools":[{"type":"function","function":{"name":…}}]}}
            if (choice.Prop("type").Is("allowed_tools"))
            {
                var allowed = choice.Prop("allowed_tools");
                var mode = allowed.Prop("mode");
                if (allowed.Prop("tools") is not { ValueKind: JsonValueKind.Array } list || !(mode.Is("auto") || mode.Is("required")))
                {
                    throw new TranslationException(400, $"{field}.allowed_tools: needs mode 'auto' or 'required' and a tools array.");
                }

                _allowedTools = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in list.EnumerateArray())
                {
                    var entry = item.NotNull();
                    if ((entry.Prop("function").Prop("name") ?? entry.Prop("name")) is { ValueKind: JsonValueKind.String } allowedName)
                    {
                        _allowedTools.Add(allowedName.GetString()!);
                    }
                }

                _choiceType = mode.Is("required") ? "any" : "auto";
                _choiceName = null;
                return;
            }

            // {"type":"function","function":{"name":...}} or the deprecated {"name":...}.
            var functionName = choice.Prop("function").Prop("name") ?? choice.Prop("name");
            _choiceName = functionName is { ValueKind: JsonValueKind.String } ? functionName.AsString()
                : throw new TranslationException(400, $"{field}: an object tool choice must name a function.");
            _choiceType = "tool";
        }

        private void ReadResponseFormat(JsonElement? format)
        {
            if (format is null)
            {
                return;
            }

            var type = format.Prop("type");
            if (type.Is("text"))
            {
                return;
            }

            if (type.Is("json_object"))
            {
                // Anthropic's structured output needs a schema; without one an instruction is the closest.
                _ctx.Note("response_format json_object → system instruction (Anthropic has no schema-less JSON mode)");
                _system.Paragraph().Append(JsonObjectInstruction);
            }
            else if (type.Is("json_schema"))
            {
                _formatSchema = format.Prop("json_schema").Prop("schema") is { ValueKind: JsonValueKind.Object } schema
                    ? schema
                    : throw new TranslationException(400, "response_format.json_schema.schema: must be a JSON Schema object.");
                Add(Slot.OutputConfig);
            }
            else
            {
                throw new TranslationException(400, $"response_format.type: must be 'text', 'json_object' or 'json_schema' (got {JsonInput.Describe(type ?? format)}).");
            }
        }

        /// <summary>What depends on everything read: the tools actually sent, tool_choice, max_tokens and thinking. Returns max_tokens.</summary>
        private long Finish()
        {
            if (_slots.Contains(Slot.Tools))
            {
                if (_allowedTools is not null)
                {
                    // allowed_tools: Anthropic has no such list, so only the allowed tools are sent (noted).
                    var sent = 0;
                    foreach (var tool in _tools.EnumerateArray())
                    {
                        sent += IsSent(tool) is not null ? 1 : 0;
                    }

                    _ctx.Note($"tool_choice allowed_tools → {sent} of {_toolCount} tools sent");
                }

                // A tool_choice naming a tool that is not sent upstream would be rejected there: the model chooses instead (noted).
                if (_choiceType == "tool" && !IsToolSent(_choiceName!))
                {
                    _ctx.Note($"tool_choice {_choiceName} → auto (the tool was not sent upstream)");
                    _choiceType = "auto";
                    _choiceName = null;
                }

                if (_parallelToolCalls == false)
                {
                    _choiceType ??= "auto";
                    _disableParallelToolUse = _choiceType != "none";
                }
            }

            var maxTokens = OutputLimits.Clamp("max_tokens", _maxTokens ?? _ctx.DefaultMaxTokens, _ctx);
            return AddThinking(maxTokens);
        }

        /// <summary>The function of a tool entry that is sent upstream (of the function type, and allowed); else null.</summary>
        private JsonElement? IsSent(JsonElement tool)
        {
            if (FunctionOf(tool, _toolsAreFunctions) is not { } function)
            {
                return null;
            }

            return _allowedTools is null || _allowedTools.Contains(function.GetProperty("name").GetString()!) ? function : null;
        }

        private bool IsToolSent(string name)
        {
            foreach (var tool in _tools.EnumerateArray())
            {
                if (IsSent(tool) is { } function && function.GetProperty("name").ValueEquals(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>reasoning_effort → Anthropic thinking (adaptive with an effort for current Claude models, a manual budget below max_tokens for others). Returns the max_tokens to send.</summary>
        private long AddThinking(long maxTokens)
        {
            if (_reasoningEffort is not { } effortValue)
            {
                return maxTokens;
            }

            var requested = ((JsonElement?)effortValue).AsString();
            if (requested is not ("none" or "minimal" or "low" or "medium" or "high" or "xhigh"))
            {
                throw new TranslationException(400, $"reasoning_effort: must be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh' (got {JsonInput.Describe(effortValue)}).");
            }

            var effort = Effort.ToAnthropic(requested, _ctx.Model);
            if (effort is null)
            {
                _ctx.Note("reasoning_effort none → no thinking");
                return maxTokens;
            }

            // Anthropic: "Tool use with thinking only supports tool_choice auto or none".
            if (_choiceType is "any" or "tool")
            {
                _ctx.Note($"reasoning_effort {requested} → no thinking (Anthropic does not combine thinking with a forced tool_choice)");
                return maxTokens;
            }

            // A tool continuation must repeat the assistant turn's thinking block, which an OpenAI client cannot send back
            // (and assistant turns translated from OpenAI never start with one).
            if (_messageCount >= 2 && _open == Role.User && _lastHasToolResult)
            {
                _ctx.Note($"reasoning_effort {requested} → no thinking (tool continuation without the earlier thinking block)");
                return maxTokens;
            }

            if (Effort.SupportsAdaptive(_ctx.Model))
            {
                _thinkingType = "adaptive";
                _effort = effort;
                _ctx.Note($"reasoning_effort {requested} → thinking adaptive, effort {effort}");
            }
            else
            {
                // Anthropic: budget_tokens >= 1024 and < max_tokens.
                var budget = Effort.Budget(effort);
                if (maxTokens <= budget)
                {
                    var raised = budget + _ctx.DefaultMaxTokens;
                    _ctx.Note($"max_tokens {maxTokens} → {raised} (above the thinking budget {budget})");
                    maxTokens = raised;
                }

                _thinkingType = "enabled";
                _thinkingBudget = budget;
                _ctx.Note($"reasoning_effort {requested} → thinking budget {budget}");
            }

            // Thinking allows no custom temperature, and top_p only from 0.95 (extended thinking reference).
            if (_slots.Contains(Slot.Temperature))
            {
                _temperatureRemoved = true;
                _ctx.Drop("temperature (not allowed together with thinking)");
            }

            if (_slots.Contains(Slot.TopP) && _topP < 0.95)
            {
                _topPRemoved = true;
                _ctx.Drop("top_p (below 0.95 is not allowed together with thinking)");
            }

            return maxTokens;
        }

        private void Write(Utf8JsonWriter w, long maxTokens)
        {
            w.WriteStartObject();
            w.WriteString("model", _ctx.Model);
            foreach (var slot in _slots)
            {
                WriteSlot(slot, w);
            }

            if (!_system.IsEmpty)
            {
                w.WritePropertyName("system");
                _system.WriteTo(w);
            }

            if (_slots.Contains(Slot.Tools) && _choiceType is not null)
            {
                w.WriteStartObject("tool_choice");
                w.WriteString("type", _choiceType);
                if (_choiceName is not null)
                {
                    w.WriteString("name", _choiceName);
                }

                if (_disableParallelToolUse)
                {
                    w.WriteBoolean("disable_parallel_tool_use", true);
                }

                w.WriteEndObject();
            }

            if (_thinkingType is not null)
            {
                w.WriteStartObject("thinking");
                w.WriteString("type", _thinkingType);
                if (_thinkingType == "enabled")
                {
                    w.WriteNumber("budget_tokens", _thinkingBudget);
                }

                w.WriteEndObject();
                if (_effort is not null && !_slots.Contains(Slot.OutputConfig))
                {
                    w.WriteStartObject("output_config");
                    w.WriteString("effort", _effort);
                    w.WriteEndObject();
                }
            }

            w.WriteNumber("max_tokens", maxTokens);
            w.WritePropertyName("messages");
            w.WriteRawValue(_messagesBuffer.WrittenSpan, skipInputValidation: true);
            w.WriteEndObject();
        }

        private void WriteSlot(Slot slot, Utf8JsonWriter w)
        {
            switch (slot)
            {
                case Slot.Temperature when !_temperatureRemoved:
                    w.WriteNumber("temperature", _temperature);
                    break;
                case Slot.TopP when !_topPRemoved:
                    w.WriteNumber("top_p", _topP);
                    break;
                case Slot.StopSequences:
                    w.WriteStartArray("stop_sequences");
                    if (_stop.ValueKind == JsonValueKind.String)
                    {
                        _stop.WriteTo(w);
                    }
                    else
                    {
                        foreach (var stop in _stop.EnumerateArray())
                        {
                            stop.WriteTo(w);
                        }
                    }

                    w.WriteEndArray();
                    break;
                case Slot.Stream:
                    w.WriteBoolean("stream", true);
                    break;
                case Slot.Metadata:
                    w.WriteStartObject("metadata");
                    w.WritePropertyName("user_id");
                    _user.WriteTo(w);
                    w.WriteEndObject();
                    break;
                case Slot.Tools:
                    w.WriteStartArray("tools");
                    foreach (var tool in _tools.EnumerateArray())
                    {
                        if (IsSent(tool) is { } function)
                        {
                            WriteTool(function, w);
                        }
                    }

                    w.WriteEndArray();
                    break;
                case Slot.OutputConfig:
                    w.WriteStartObject("output_config");
                    w.WriteStartObject("format");
                    w.WriteString("type", "json_schema");
                    w.WritePropertyName("schema");
                    _formatSchema.WriteTo(w);
                    w.WriteEndObject();
                    if (_effort is not null)
                    {
                        w.WriteString("effort", _effort);
                    }

                    w.WriteEndObject();
                    break;
            }
        }

        /// <summary>A checked function as an Anthropic tool: its parameters copied as <c>input_schema</c> (required, so an empty object schema when absent).</summary>
        private static void WriteTool(JsonElement function, Utf8JsonWriter w)
        {
            JsonElement? f = function;
            w.WriteStartObject();
            w.WritePropertyName("name");
            function.GetProperty("name").WriteTo(w);
            if (f.Prop("description") is { ValueKind: JsonValueKind.String } description)
            {
                w.WritePropertyName("description");
                description.WriteTo(w);
            }

            w.WritePropertyName("input_schema");
            WrittenAsIs.WriteSchema(f.Prop("parameters"), w);

            if (f.Prop("strict").AsBool() is { } strict)
            {
                // Anthropic's strict tool use: inputs guaranteed to match input_schema, like OpenAI's strict.
                w.WriteBoolean("strict", strict);
            }

            w.WriteEndObject();
        }
    }

    /// <summary>
    /// A <c>function.arguments</c> value as the object Anthropic's <c>tool_use.input</c> must be, as
    /// <see cref="ToolInput"/> makes it: no text or blank text is <c>{}</c>, a JSON object is copied (compact),
    /// anything else is kept as text under <c>"arguments"</c> (noted).
    /// </summary>
    internal static void WriteToolInput(JsonElement? arguments, Utf8JsonWriter w, TranslationContext ctx)
    {
        if (arguments is not { ValueKind: JsonValueKind.String } argumentsText)
        {
            w.WriteStartObject();
            w.WriteEndObject();
            return;
        }

        using var text = new Utf8Text();
        var json = Utf8Value(argumentsText, text);
        if (IsWhiteSpace(json))
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else if (IsJsonObject(json))
        {
            try
            {
                CopyJson(json, w);
            }
            catch (InvalidOperationException) when (JsonInput.HasLoneSurrogateEscape(json))
            {
                // The arguments are JSON text of their own, with a string that cannot be unescaped.
                throw LoneSurrogate();
            }
        }
        else
        {
            // Anthropic requires an object; keep the text so the model still sees what it sent.
            ctx.Note("tool call arguments that are not a JSON object kept under \"arguments\"");
            w.WriteStartObject();
            w.WriteString("arguments", json);
            w.WriteEndObject();
        }
    }

    /// <summary>A JSON string's value as UTF-8: its own bytes when it has no escapes, else unescaped into <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<byte> Utf8Value(JsonElement text, Utf8Text scratch)
    {
        var raw = JsonMarshal.GetRawUtf8Value(text);
        return raw.Contains((byte)'\\') ? scratch.Append(text).Span : raw[1..^1];
    }

    /// <summary>Whether UTF-8 text is empty or only white space, as <see cref="string.IsNullOrWhiteSpace"/> reads it.</summary>
    private static bool IsWhiteSpace(ReadOnlySpan<byte> utf8)
    {
        while (!utf8.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(utf8, out var rune, out var consumed) != System.Buffers.OperationStatus.Done || !Rune.IsWhiteSpace(rune))
            {
                return false;
            }

            utf8 = utf8[consumed..];
        }

        return true;
    }

    /// <summary>Whether the text is one JSON object and nothing else, as <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/> with default options accepts it.</summary>
    private static bool IsJsonObject(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Copies well-formed JSON through the writer token by token: compact, strings and names re-escaped by the writer,
    /// numbers as written: the bytes <see cref="JsonElement.WriteTo"/> would give, without a document.
    /// </summary>
    private static void CopyJson(ReadOnlySpan<byte> json, Utf8JsonWriter w)
    {
        var reader = new Utf8JsonReader(json);
        byte[]? scratch = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        w.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        w.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        w.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        w.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        w.WritePropertyName(Unescape(ref reader, ref scratch));
                        break;
                    case JsonTokenType.String:
                        w.WriteStringValue(Unescape(ref reader, ref scratch));
                        break;
                    case JsonTokenType.Number:
                        w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                    case JsonTokenType.True:
                        w.WriteBooleanValue(true);
                        break;
                    case JsonTokenType.False:
                        w.WriteBooleanValue(false);
                        break;
                    case JsonTokenType.Null:
                        w.WriteNullValue();
                        break;
                }
            }
        }
        finally
        {
            if (scratch is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    private static ReadOnlySpan<byte> Unescape(ref Utf8JsonReader reader, ref byte[]? scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan;
        }

        if (scratch is null || scratch.Length < reader.ValueSpan.Length)
        {
            if (scratch is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        }

        return scratch.AsSpan(0, reader.CopyString(scratch));
    }

    /// <summary>An image URL as an Anthropic image block: a data URL becomes a base64 source, anything else a URL source (Anthropic "Vision" reference).</summary>
    internal static void WriteImage(JsonElement url, Utf8JsonWriter w)
    {
        using var text = new Utf8Text();
        var bytes = Utf8Value(url, text);
        w.WriteStartObject();
        w.WriteString("type", "image");
        w.WriteStartObject("source");
        if (DataUrl(bytes, out var mediaType, out var data))
        {
            w.WriteString("type", "base64");
            w.WriteString("media_type", mediaType);
            w.WriteString("data", data);
        }
        else
        {
            w.WriteString("type", "url");
            w.WriteString("url", bytes);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// A Chat Completions <c>file</c> part's file object as an Anthropic document block. <paramref name="path"/> names
    /// the object in errors.
    /// </summary>
    internal static void WriteDocument(JsonElement? file, string path, Utf8JsonWriter w)
    {
        if (file.Prop("file_id") is not null)
        {
            throw new TranslationException(400, $"{path}.file_id: uploaded files cannot be read by this model's provider; send the file inline as file_data.");
        }

        if (file.Prop("file_data") is not { ValueKind: JsonValueKind.String } fileData)
        {
            throw new TranslationException(400, $"{path}.file_data: must be a data URL string.");
        }

        using var text = new Utf8Text();
        var bytes = Utf8Value(fileData, text);
        DataUrl(bytes, out var mediaType, out var data);
        var pdf = mediaType.SequenceEqual("application/pdf"u8);
        if (!pdf && !mediaType.SequenceEqual("text/plain"u8))
        {
            throw new TranslationException(400, $"{path}.file_data: only PDF and plain-text files (as base64 data URLs) can be sent to this model's provider.");
        }

        w.WriteStartObject();
        w.WriteString("type", "document");
        w.WriteStartObject("source");
        if (pdf)
        {
            w.WriteString("type", "base64");
            w.WriteString("media_type", "application/pdf");
            w.WriteString("data", data);
        }
        else
        {
            w.WriteString("type", "text");
            w.WriteString("media_type", "text/plain");
            // Decoded through strings as before: plain-text documents are rare and small.
            w.WriteString("data", DecodeText(Encoding.UTF8.GetString(data), path));
        }

        w.WriteEndObject();
        if (file.Prop("filename") is { ValueKind: JsonValueKind.String } filename)
        {
            w.WritePropertyName("title");
            filename.WriteTo(w);
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Splits <c>data:&lt;media type&gt;;base64,&lt;data&gt;</c> (case-insensitive markers, the first <c>;base64,</c>) as
    /// the image and document writers need. False (and empty parts) for anything else.
    /// </summary>
    private static bool DataUrl(ReadOnlySpan<byte> url, out ReadOnlySpan<byte> mediaType, out ReadOnlySpan<byte> data)
    {
        mediaType = default;
        data = default;
        if (!System.Text.Ascii.IsValid(url))
        {
            // Ordinal case-insensitive matching of non-ASCII text is the string form's business; such URLs are rare.
            var s = Encoding.UTF8.GetString(url);
            var at = s.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase);
            if (!s.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || at <= 5)
            {
                return false;
            }

            mediaType = url[5..Encoding.UTF8.GetByteCount(s.AsSpan(0, at))];
            data = url[Encoding.UTF8.GetByteCount(s.AsSpan(0, at + 8))..];
            return true;
        }

        var marker = IndexOfIgnoreCase(url, ";base64,"u8);
        if (url.Length < 5 || !System.Text.Ascii.EqualsIgnoreCase(url[..5], "data:"u8) || marker <= 5)
        {
            return false;
        }

        mediaType = url[5..marker];
        data = url[(marker + 8)..];
        return true;
    }

    /// <summary>The first index of ASCII <paramref name="value"/> in ASCII <paramref name="text"/>, ignoring case; -1 if absent.</summary>
    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
    {
        // The value starts with a character that has no case (';'), so candidates are found with a plain search.
        var offset = 0;
        while (text.Length - offset >= value.Length)
        {
            var next = text[offset..].IndexOf(value[0]);
            if (next < 0 || text.Length - offset - next < value.Length)
            {
                return -1;
            }

            if (System.Text.Ascii.EqualsIgnoreCase(text.Slice(offset + next, value.Length), value))
            {
                return offset + next;
            }

            offset += next + 1;
        }

        return -1;
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

    // The JsonNode form below serves OpenAIToAnthropicResponse, so tool calls in history and in answers agree.

    /// <summary>
    /// An OpenAI <c>function.arguments</c> string as the object Anthropic's <c>tool_use.input</c> must
    /// be. Shared with <see cref="OpenAIToAnthropicResponse"/>, so tool calls in history and in answers
    /// keep unparseable arguments the same way.
    /// </summary>
    internal static JsonObject ToolInput(JsonNode? function, TranslationContext ctx)
    {
        var arguments = function.Prop("arguments").AsString();
        var input = JsonOutput.ParseArguments(arguments);
        if (input is null)
        {
            // Anthropic requires an object; keep the text so the model still sees what it sent.
            ctx.Note("tool call arguments that are not a JSON object kept under \"arguments\"");
            input = new JsonObject { ["arguments"] = arguments };
        }

        return input;
    }
}
