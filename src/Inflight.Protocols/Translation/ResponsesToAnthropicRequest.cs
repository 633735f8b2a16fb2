using System.Runtime.InteropServices;
using System.Text.Json;

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
/// <item><c>reasoning.effort</c> becomes thinking as a Chat client's <c>reasoning_effort</c> does (<see cref="Effort"/>). Thinking is left off,
/// with a note, when <c>tool_choice</c> forces a tool (Anthropic rejects the combination) or when the
/// tool-continuation turn has no thinking block to send back (Anthropic would reject the request).</item>
/// <item><c>text.format</c> json_schema becomes <c>output_config.format</c> (native structured output);
/// json_object, which has no schema, is asked for by a system instruction and recorded.</item>
/// </list>
/// <para>Written in one pass over the parsed body (a <see cref="JsonDocument"/>, shared with the inspector) with a
/// <see cref="Utf8JsonWriter"/>: the conversation (<see cref="ResponsesAnthropicConversation"/>) and the system blocks
/// into pooled buffers as they are read, the rest once every field is known (thinking removes sampling fields).</para>
/// </remarks>
public static class ResponsesToAnthropicRequest
{
    /// <summary>max_tokens when the client set none and thinking is adaptive; every Claude model with adaptive thinking allows far more.</summary>
    private const int AdaptiveThinkingMinTokens = 16384;

    private const string JsonObjectInstruction = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

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

        var length = JsonMarshal.GetRawUtf8Value(request).Length;
        using var conversation = new ResponsesAnthropicConversation(ctx, length);
        try
        {
            Run(request, conversation, ctx, output);
        }
        catch (InvalidOperationException) when (JsonInput.HasLoneSurrogateEscape(JsonMarshal.GetRawUtf8Value(request)))
        {
            // Valid JSON, but a string the translator reads or copies cannot be unescaped: the client's text, not a bug here.
            throw new TranslationException(400, "The request body has a \\u escape of half a UTF-16 surrogate pair (\\ud800-\\udfff) that is not part of a pair: not valid text.");
        }
    }

    private static void Run(JsonElement request, ResponsesAnthropicConversation conversation, TranslationContext ctx, PooledBufferWriter output)
    {
        var tools = ResponsesTools.Read(request.Prop("tools"), ctx);
        if (request.Prop("instructions") is { } instructions)
        {
            conversation.AddSystem(instructions.ValueKind == JsonValueKind.String ? instructions : throw new TranslationException(400, "instructions: must be a string."));
        }

        conversation.Build(ResponsesInput.CheckItems(request), tools);
        if (conversation.MessageCount == 0)
        {
            throw new TranslationException(400, "input: at least one user or assistant message is required.");
        }

        var fields = new Fields();
        foreach (var property in request.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (!ResponsesRequestFields.MustTranslate(name, value.NotNull(), toAnthropic: true, ctx) || ResponsesInput.TryCommonField(name, value, ctx))
            {
                continue;
            }

            switch (name)
            {
                case "input" or "instructions" or "tools":
                    break;
                case "tool_choice":
                    fields.ToolChoice = tools.Choice(value);
                    break;
                case "parallel_tool_calls":
                    fields.ParallelToolCalls = ResponsesInput.Bool(value, name);
                    break;
                case "max_output_tokens":
                    fields.MaxTokens = ResponsesInput.PositiveInteger(value, name);
                    break;
                case "temperature":
                    fields.Temperature = ResponsesInput.Number(value, name);
                    break;
                case "top_p":
                    fields.TopP = ResponsesInput.Number(value, name);
                    break;
                case "text":
                    ReadText(value, fields, conversation, ctx);
                    break;
                case "reasoning":
                    // Thinking blocks are Claude's summarized reasoning, so a summary request is honoured by thinking itself.
                    fields.Effort = ResponsesInput.ReasoningEffort(value, summaryHonoured: true, ctx);
                    fields.Summary = value.Prop("summary") is not null || value.Prop("generate_summary") is not null;
                    break;
                case "include":
                    ResponsesInput.Include(value, honoured: "reasoning.encrypted_content", ctx);
                    break;
                case "user":
                    fields.User = value.NotNull().AsString() ?? throw new TranslationException(400, "user: must be a string.");
                    break;
                case "safety_identifier":
                    fields.SafetyIdentifier = value.NotNull().AsString() ?? throw new TranslationException(400, "safety_identifier: must be a string.");
                    break;
                case "prompt_cache_key":
                    // The client asks for prompt caching; Anthropic caches only when asked, and a top-level
                    // cache_control lets the API place (and move) the breakpoint itself.
                    _ = value.NotNull().AsString() ?? throw new TranslationException(400, "prompt_cache_key: must be a string.");
                    fields.Set(Early.CacheControl);
                    ctx.Note("prompt_cache_key → automatic prompt caching (cache_control)");
                    break;
                default:
                    ctx.Drop($"{name}");
                    break;
            }
        }

        var sent = SentTools(tools, fields, ctx);
        if (fields.Temperature is { } t && t > 1)
        {
            ctx.Note("temperature above 1 clamped to 1 (Anthropic's range is 0-1)");
        }

        if (fields.TopP is not null && fields.Temperature is not null)
        {
            // Current Claude models reject temperature and top_p together.
            ctx.Drop("top_p (Claude takes temperature or top_p, not both)");
            fields.TopPSent = false;
        }

        // Thinking (shared with Chat clients' reasoning_effort): adaptive or a budget per model, left off
        // with a note when tool_choice forces a tool or the tool continuation has no thinking block.
        var maxTokens = OutputLimits.Clamp("max_output_tokens", fields.MaxTokens ?? ctx.DefaultMaxTokens, ctx);
        maxTokens = AddThinking(fields, sent, conversation, maxTokens, ctx);
        if (fields.MaxTokens is null && fields.ThinkingType == "adaptive")
        {
            // The client set no limit (Codex never does) and adaptive thinking spends from the same budget as
            // the answer: a small default would cut answers short after the thinking.
            maxTokens = OutputLimits.Clamp("max_tokens", Math.Max(maxTokens, AdaptiveThinkingMinTokens), ctx);
        }

        if (fields.Summary && fields.ThinkingType is null)
        {
            ctx.Drop("reasoning.summary (thinking is off)");
        }

        using var w = new Utf8JsonWriter(output, JsonOutput.WriterOptions);
        Write(w, fields, sent, conversation, maxTokens, ctx);
    }

    /// <summary>The top-level fields as read: kept until the end, since thinking (decided last) removes sampling fields and extends output_config.</summary>
    private sealed class Fields
    {
        public ResponsesToolChoice? ToolChoice;
        public bool ParallelToolCalls = true;
        public long? MaxTokens;
        public double? Temperature;
        public double? TopP;
        public bool TopPSent = true;
        public string? Effort;
        public bool Summary;
        public string? User;
        public string? SafetyIdentifier;
        public JsonElement? FormatSchema;
        public string? ThinkingType;
        public int ThinkingBudget;
        public string? ThinkingEffort;
        public bool TemperatureRemoved;
        public bool TopPRemoved;

        /// <summary>output_config and cache_control, which the client's fields set, in the order they were set.</summary>
        public readonly List<Early> EarlyFields = new(2);

        public void Set(Early field)
        {
            if (!EarlyFields.Contains(field))
            {
                EarlyFields.Add(field);
            }
        }
    }

    private enum Early
    {
        OutputConfig,
        CacheControl,
    }

    /// <summary>The tools sent upstream and the tool_choice for them (null when none is sent).</summary>
    private readonly record struct SentToolSet(List<DeclaredFunctionTool>? Tools, string? ChoiceType, string? ChoiceName, bool DisableParallelToolUse);

    private static void ReadText(JsonElement value, Fields fields, ResponsesAnthropicConversation conversation, TranslationContext ctx)
    {
        if (ResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } schema)
        {
            fields.FormatSchema = schema.Prop("schema");
            fields.Set(Early.OutputConfig);
            if (schema.Prop("strict").AsBool() == false)
            {
                ctx.Note("text.format strict false sent as Anthropic structured output (always strict)");
            }
        }
        else if (jsonObject)
        {
            ctx.Note("text.format json_object approximated by a system instruction");
            conversation.AddSystem(JsonObjectInstruction);
        }

        if (value.Prop("verbosity") is not null)
        {
            ctx.Drop("text.verbosity");
        }
    }

    private static SentToolSet SentTools(ResponsesTools tools, Fields fields, TranslationContext ctx)
    {
        var choice = fields.ToolChoice;
        if (tools.Declared.Count == 0)
        {
            if (choice?.Mode == "required")
            {
                throw new TranslationException(400, "tool_choice: 'required' needs a function tool; the declared tools are hosted tools this model's provider cannot run.");
            }

            return default;
        }

        var sent = new List<DeclaredFunctionTool>(tools.Declared.Count);
        foreach (var tool in tools.Declared)
        {
            // allowed_tools: Anthropic has no such choice; sending only the allowed tools gives the model the same options.
            if (choice?.Allowed is { } allowed && !allowed.Contains(tool.UpstreamName))
            {
                continue;
            }

            sent.Add(tool);
        }

        if (choice?.Allowed is not null)
        {
            ctx.Note("tool_choice allowed_tools: only the allowed tools sent");
        }

        var (type, name) = choice switch
        {
            null => ((string?)null, (string?)null),
            { Name: { } n } => ("tool", n),
            { Mode: "required" } => ("any", null),
            { Mode: "none" } => ("none", null),
            _ => ("auto", null),
        };

        var disableParallel = false;
        if (!fields.ParallelToolCalls && type != "none")
        {
            type ??= "auto";
            disableParallel = true;
        }

        return new SentToolSet(sent, type, name, disableParallel);
    }

    /// <summary>reasoning.effort → Anthropic thinking, as the Chat Completions → Anthropic translator decides it. Returns the max_tokens to send.</summary>
    private static long AddThinking(Fields fields, SentToolSet sent, ResponsesAnthropicConversation conversation, long maxTokens, TranslationContext ctx)
    {
        if (fields.Effort is not { } requested)
        {
            return maxTokens;
        }

        if (requested is not ("none" or "minimal" or "low" or "medium" or "high" or "xhigh"))
        {
            throw new TranslationException(400, $"reasoning.effort: must be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh' (got '{(requested.Length > 40 ? requested[..40] + "…" : requested)}').");
        }

        var effort = Effort.ToAnthropic(requested, ctx.Model);
        if (effort is null)
        {
            ctx.Note("reasoning.effort none → no thinking");
            return maxTokens;
        }

        // Anthropic: "Tool use with thinking only supports tool_choice auto or none".
        if (sent.ChoiceType is "any" or "tool")
        {
            ctx.Note($"reasoning.effort {requested} → no thinking (Anthropic does not combine thinking with a forced tool_choice)");
            return maxTokens;
        }

        // A tool continuation must repeat the assistant turn's thinking block.
        if (conversation.IsToolContinuationWithoutThinking)
        {
            ctx.Note($"reasoning.effort {requested} → no thinking (tool continuation without the earlier thinking block)");
            return maxTokens;
        }

        if (Effort.SupportsAdaptive(ctx.Model))
        {
            fields.ThinkingType = "adaptive";
            fields.ThinkingEffort = effort;
            ctx.Note($"reasoning.effort {requested} → thinking adaptive, effort {effort}");
        }
        else
        {
            // Anthropic: budget_tokens >= 1024 and < max_tokens.
            var budget = Effort.Budget(effort);
            if (maxTokens <= budget)
            {
                var raised = budget + ctx.DefaultMaxTokens;
                ctx.Note($"max_tokens {maxTokens} → {raised} (above the thinking budget {budget})");
                maxTokens = raised;
            }

            fields.ThinkingType = "enabled";
            fields.ThinkingBudget = budget;
            ctx.Note($"reasoning.effort {requested} → thinking budget {budget}");
        }

        // Thinking allows no custom temperature, and top_p only from 0.95 (extended thinking reference).
        if (fields.Temperature is not null)
        {
            fields.TemperatureRemoved = true;
            ctx.Drop("temperature (not allowed together with thinking)");
        }

        if (fields.TopP is { } topP && fields.TopPSent && topP < 0.95)
        {
            fields.TopPRemoved = true;
            ctx.Drop("top_p (below 0.95 is not allowed together with thinking)");
        }

        return maxTokens;
    }

    private static void Write(Utf8JsonWriter w, Fields fields, SentToolSet sent, ResponsesAnthropicConversation conversation, long maxTokens, TranslationContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("model", ctx.Model);
        foreach (var early in fields.EarlyFields)
        {
            if (early == Early.CacheControl)
            {
                w.WriteStartObject("cache_control");
                w.WriteString("type", "ephemeral");
                w.WriteEndObject();
            }
            else
            {
                WriteOutputConfig(fields, w);
            }
        }

        conversation.WriteSystemAndMessages(w);
        if ((fields.SafetyIdentifier ?? fields.User) is { } user)
        {
            w.WriteStartObject("metadata");
            w.WriteString("user_id", user);
            w.WriteEndObject();
        }

        if (ctx.ClientStream)
        {
            w.WriteBoolean("stream", true);
        }

        if (sent.Tools is { } tools)
        {
            w.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                w.WriteStartObject();
                w.WriteString("name", tool.UpstreamName);
                ResponsesTools.WriteDescriptionAndSchema(tool, "description", "input_schema", w);
                if (!tool.Custom && tool.Tool.Prop("strict").AsBool() == true)
                {
                    w.WriteBoolean("strict", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (sent.ChoiceType is { } type)
            {
                w.WriteStartObject("tool_choice");
                w.WriteString("type", type);
                if (sent.ChoiceName is { } name)
                {
                    w.WriteString("name", name);
                }

                if (sent.DisableParallelToolUse)
                {
                    w.WriteBoolean("disable_parallel_tool_use", true);
                }

                w.WriteEndObject();
            }
        }

        if (fields.Temperature is { } temperature && !fields.TemperatureRemoved)
        {
            w.WriteNumber("temperature", Math.Min(temperature, 1.0));
        }

        if (fields.TopP is { } topP && fields.TopPSent && !fields.TopPRemoved)
        {
            w.WriteNumber("top_p", topP);
        }

        if (fields.ThinkingType is { } thinking)
        {
            w.WriteStartObject("thinking");
            w.WriteString("type", thinking);
            if (thinking == "enabled")
            {
                w.WriteNumber("budget_tokens", fields.ThinkingBudget);
            }

            w.WriteEndObject();
            if (fields.ThinkingEffort is not null && !fields.EarlyFields.Contains(Early.OutputConfig))
            {
                WriteOutputConfig(fields, w);
            }
        }

        w.WriteNumber("max_tokens", maxTokens);
        w.WriteEndObject();
    }

    private static void WriteOutputConfig(Fields fields, Utf8JsonWriter w)
    {
        w.WriteStartObject("output_config");
        if (fields.FormatSchema is { } schema)
        {
            w.WriteStartObject("format");
            w.WriteString("type", "json_schema");
            w.WritePropertyName("schema");
            WrittenAsIs.Write(schema, w);
            w.WriteEndObject();
        }

        if (fields.ThinkingEffort is { } effort)
        {
            w.WriteString("effort", effort);
        }

        w.WriteEndObject();
    }
}
