using System.Text.Json.Nodes;

using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The JsonNode Responses → Anthropic request translator as it was before the one-pass rework, kept as the reference
/// its equivalence tests hold <see cref="ResponsesToAnthropicRequest"/> to, byte for byte.
/// </summary>
internal static class ReferenceResponsesToAnthropicRequest
{
    /// <summary>max_tokens when the client set none and thinking is adaptive; every Claude model with adaptive thinking allows far more.</summary>
    private const int AdaptiveThinkingMinTokens = 16384;

    private const string JsonObjectInstruction = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

    public static byte[] Translate(ReadOnlySpan<byte> responsesJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(responsesJson, "request body");
        var tools = ReferenceResponsesTools.Read(request["tools"], ctx);
        var system = new JsonArray();
        if (request["instructions"] is not null)
        {
            AddSystem(system, ReferenceResponsesInput.TakeString(request, "instructions") ?? throw new TranslationException(400, "instructions: must be a string."));
        }

        var messages = new ReferenceResponsesAnthropicConversation(tools, system, ctx).Build(ReferenceResponsesInput.Items(request));
        if (messages.Count == 0)
        {
            throw new TranslationException(400, "input: at least one user or assistant message is required.");
        }

        var output = new JsonObject { ["model"] = ctx.Model };
        long? maxTokens = null;
        double? temperature = null, topP = null;
        JsonNode? effort = null;
        string? userId = null, safetyIdentifier = null;
        ReferenceResponsesToolChoice? toolChoice = null;
        var parallelToolCalls = true;
        var summary = false;

        foreach (var (name, value) in request)
        {
            if (!ResponsesRequestFields.MustTranslate(name, value, toAnthropic: true, ctx) || ReferenceResponsesInput.TryCommonField(name, value!, ctx))
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
                    parallelToolCalls = ReferenceResponsesInput.Bool(value!, name);
                    break;
                case "max_output_tokens":
                    maxTokens = ReferenceResponsesInput.PositiveInteger(value!, name);
                    break;
                case "temperature":
                    temperature = ReferenceResponsesInput.Number(value!, name);
                    break;
                case "top_p":
                    topP = ReferenceResponsesInput.Number(value!, name);
                    break;
                case "text":
                    AddText(value!, output, system, ctx);
                    break;
                case "reasoning":
                    // Thinking blocks are Claude's summarized reasoning, so a summary request is honoured by thinking itself.
                    effort = ReferenceResponsesInput.ReasoningEffort(value!, summaryHonoured: true, ctx);
                    summary = value!["summary"] is not null || value["generate_summary"] is not null;
                    break;
                case "include":
                    ReferenceResponsesInput.Include(value!, honoured: "reasoning.encrypted_content", ctx);
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
                    ctx.Note("prompt_cache_key → automatic prompt caching (cache_control)");
                    break;
                default:
                    ctx.Drop($"{name}");
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
        AddSampling(temperature, topP, output, ctx);

        // Thinking (shared with Chat clients' reasoning_effort): adaptive or a budget per model, left off
        // with a note when tool_choice forces a tool or the tool continuation has no thinking block.
        var maxTokensValue = OutputLimits.Clamp("max_output_tokens", maxTokens ?? ctx.DefaultMaxTokens, ctx);
        maxTokensValue = ReferenceOpenAIToAnthropicRequest.AddThinking(effort, anthropicChoice, messages, output, maxTokensValue, ctx, "reasoning.effort");
        if (maxTokens is null && output["thinking"]?["type"].AsString() == "adaptive")
        {
            // The client set no limit (Codex never does) and adaptive thinking spends from the same budget as
            // the answer: a small default would cut answers short after the thinking.
            maxTokensValue = OutputLimits.Clamp("max_tokens", Math.Max(maxTokensValue, AdaptiveThinkingMinTokens), ctx);
        }

        if (summary && output["thinking"] is null)
        {
            ctx.Drop("reasoning.summary (thinking is off)");
        }

        output["max_tokens"] = maxTokensValue;
        return JsonOutput.ToBytes(output);
    }

    internal static void AddSystem(JsonArray system, JsonNode text)
    {
        // Anthropic rejects empty text blocks.
        if (!ReferenceResponsesInput.IsEmptyString(text))
        {
            system.Add(TextBlock(text));
        }
    }

    internal static JsonObject TextBlock(JsonNode text) => new() { ["type"] = "text", ["text"] = text };

    private static void AddSampling(double? temperature, double? topP, JsonObject output, TranslationContext ctx)
    {
        if (temperature is { } t)
        {
            if (t > 1)
            {
                ctx.Note("temperature above 1 clamped to 1 (Anthropic's range is 0-1)");
            }

            output["temperature"] = Math.Min(t, 1.0);
        }

        if (topP is { } p)
        {
            // Current Claude models reject temperature and top_p together.
            if (temperature is not null)
            {
                ctx.Drop("top_p (Claude takes temperature or top_p, not both)");
            }
            else
            {
                output["top_p"] = p;
            }
        }
    }

    private static void AddText(JsonNode value, JsonObject output, JsonArray system, TranslationContext ctx)
    {
        if (ReferenceResponsesInput.TextFormat(value, out var jsonObject, ctx) is { } schema)
        {
            output["output_config"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = schema["schema"]!.DeepClone() } };
            if (schema["strict"].AsBool() == false)
            {
                ctx.Note("text.format strict false sent as Anthropic structured output (always strict)");
            }
        }
        else if (jsonObject)
        {
            ctx.Note("text.format json_object approximated by a system instruction");
            AddSystem(system, JsonObjectInstruction);
        }

        if (value["verbosity"] is not null)
        {
            ctx.Drop("text.verbosity");
        }
    }

    private static JsonObject? AddTools(ReferenceResponsesTools tools, ReferenceResponsesToolChoice? choice, bool parallelToolCalls, JsonObject output, TranslationContext ctx)
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

            anthropicTool["input_schema"] = tool.Parameters;
            if (tool.Strict == true)
            {
                anthropicTool["strict"] = true;
            }

            converted.Add(anthropicTool);
        }

        if (choice?.Allowed is not null)
        {
            ctx.Note("tool_choice allowed_tools: only the allowed tools sent");
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

}
