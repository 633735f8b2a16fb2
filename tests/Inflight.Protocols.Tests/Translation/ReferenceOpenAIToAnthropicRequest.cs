using System.Collections.Frozen;
using System.Text;
using System.Text.Json.Nodes;

using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// A copy of <see cref="OpenAIToAnthropicRequest"/> as it was on a <c>JsonNode</c> model, before it became one pass over
/// a <c>JsonDocument</c> into a pooled writer: <see cref="OpenAIToAnthropicRequestEquivalenceTests"/> holds the new one to
/// the same bytes, notes and errors. OpenAI Chat Completions request → Anthropic Messages request. Every top-level field is in
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
/// </remarks>
internal static class ReferenceOpenAIToAnthropicRequest
{
    /// <summary>The policy for every top-level OpenAI field; a field not listed is dropped and noted.</summary>
    private static readonly FrozenDictionary<string, FieldPolicy> Fields = new Dictionary<string, FieldPolicy>
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

    public static byte[] Translate(ReadOnlySpan<byte> openAIJson, TranslationContext ctx)
    {
        var request = JsonOutput.ParseObject(openAIJson, "request body");

        if (request["n"] is { } n && n.AsLong() is not 1)
        {
            throw new TranslationException(400, "n > 1 is not supported by this model's provider (Anthropic returns a single choice); send n=1 or omit it.");
        }

        if (request["messages"] is not JsonArray inputMessages)
        {
            throw new TranslationException(400, "messages: field required (an array of messages).");
        }

        var system = new StringBuilder();
        var messages = new JsonArray();
        for (var i = 0; i < inputMessages.Count; i++)
        {
            if (inputMessages[i] is not JsonObject m)
            {
                throw new TranslationException(400, $"messages.{i}: each message must be an object.");
            }

            var path = $"messages.{i}";
            if (m["name"] is not null)
            {
                ctx.Drop("messages[].name");
            }

            var role = m["role"].AsString();
            switch (role)
            {
                case "system" or "developer":
                    if (messages.Count > 0)
                    {
                        ctx.Note("system message after the first turn moved to the system prompt");
                    }

                    AppendParagraph(system, ContentText(m["content"], path));
                    break;
                case "user":
                    Append(messages, "user", UserBlocks(m["content"], path, ctx));
                    break;
                case "assistant":
                    Append(messages, "assistant", AssistantBlocks(m, path, ctx));
                    break;
                case "tool" or "function":
                    Append(messages, "user", [ToolResult(m, role, path)]);
                    break;
                default:
                    throw new TranslationException(400, $"{path}.role: must be 'system', 'developer', 'user', 'assistant' or 'tool' (got {JsonOutput.Describe(m["role"])}).");
            }
        }

        var output = new JsonObject { ["model"] = ctx.Model };
        long? maxTokens = null;
        JsonObject? toolChoice = null;
        HashSet<string>? allowedTools = null;
        bool? parallelToolCalls = null;
        JsonNode? reasoningEffort = null;
        var droppedTools = new HashSet<string>(StringComparer.Ordinal);

        foreach (var (name, value) in request)
        {
            switch (name)
            {
                case "model" or "messages" or "n":
                    break;
                case "max_tokens" or "max_completion_tokens":
                    if (value is not null)
                    {
                        maxTokens = value.AsLong() is { } l and > 0 ? l : throw new TranslationException(400, $"{name}: must be a positive integer.");
                    }

                    break;
                case "temperature":
                    if (value is not null)
                    {
                        var t = value.AsDouble() ?? throw new TranslationException(400, "temperature: must be a number.");
                        if (t > 1)
                        {
                            ctx.Note($"temperature {t} → 1 (Anthropic's range is 0-1)");
                        }

                        output["temperature"] = Math.Min(t, 1.0);
                    }

                    break;
                case "top_p":
                    if (value is not null)
                    {
                        output["top_p"] = value.AsDouble() ?? throw new TranslationException(400, "top_p: must be a number.");
                    }

                    break;
                case "stop":
                    if (value.AsString() is { } stop)
                    {
                        output["stop_sequences"] = new JsonArray(stop);
                    }
                    else if (value is JsonArray stops)
                    {
                        if (stops.Count > 0)
                        {
                            output["stop_sequences"] = StringArray(stops, "stop");
                        }
                    }
                    else if (value is not null)
                    {
                        throw new TranslationException(400, "stop: must be a string or an array of strings.");
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
                    ctx.ClientIncludeUsage = value.Prop("include_usage").AsBool() == true;
                    break;
                case "user":
                    if (value.AsString() is { } user)
                    {
                        output["metadata"] = new JsonObject { ["user_id"] = user };
                    }

                    break;
                case "tools":
                    if (value is not null && ConvertTools(value, droppedTools, ctx) is { Count: > 0 } converted)
                    {
                        output["tools"] = converted;
                    }

                    break;
                case "functions":
                    // The deprecated form of tools.
                    if (value is not null && ConvertFunctions(value) is { Count: > 0 } convertedFunctions)
                    {
                        output["tools"] = convertedFunctions;
                    }

                    break;
                case "tool_choice" or "function_call":
                    if (value is not null)
                    {
                        toolChoice = ConvertToolChoice(value, name, out allowedTools);
                    }

                    break;
                case "parallel_tool_calls":
                    parallelToolCalls = value.AsBool();
                    break;
                case "reasoning_effort":
                    reasoningEffort = value;
                    break;
                case "response_format":
                    AddResponseFormat(value, system, output, ctx);
                    break;
                case "modalities":
                    if (value is JsonArray modalities && modalities.Any(x => x.AsString() != "text"))
                    {
                        throw new TranslationException(400, "modalities: only [\"text\"] is supported by this model's provider.");
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

                    ctx.Drop(name);
                    break;
            }
        }

        if (system.Length > 0)
        {
            output["system"] = system.ToString();
        }

        if (output["tools"] is JsonArray toolList)
        {
            LimitToAllowedTools(toolList, allowedTools, ctx);
            toolChoice = CheckToolChoiceTarget(toolChoice, toolList, ctx);
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

        var maxTokensValue = OutputLimits.Clamp("max_tokens", maxTokens ?? ctx.DefaultMaxTokens, ctx);
        maxTokensValue = AddThinking(reasoningEffort, toolChoice, messages, output, maxTokensValue, ctx);
        output["max_tokens"] = maxTokensValue;
        output["messages"] = messages;
        return JsonOutput.ToBytes(output);
    }

    private static JsonArray StringArray(JsonArray values, string field)
    {
        var result = new JsonArray();
        foreach (var value in values)
        {
            result.Add(value.AsString() ?? throw new TranslationException(400, $"{field}: must be a string or an array of strings."));
        }

        return result;
    }

    /// <summary>
    /// <c>reasoning_effort</c> (or a Responses client's <c>reasoning.effort</c>, named by <paramref name="field"/>)
    /// → Anthropic thinking. Current Claude models get adaptive thinking with <c>output_config.effort</c>;
    /// older and unknown ones a manual budget below max_tokens. Returns the max_tokens to send (raised
    /// above a manual budget when needed).
    /// </summary>
    internal static long AddThinking(JsonNode? effortNode, JsonObject? toolChoice, JsonArray messages, JsonObject output, long maxTokens, TranslationContext ctx, string field = "reasoning_effort")
    {
        if (effortNode is null)
        {
            return maxTokens;
        }

        var requested = effortNode.AsString();
        if (requested is not ("none" or "minimal" or "low" or "medium" or "high" or "xhigh"))
        {
            throw new TranslationException(400, $"{field}: must be 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh' (got {JsonOutput.Describe(effortNode)}).");
        }

        var effort = Effort.ToAnthropic(requested, ctx.Model);
        if (effort is null)
        {
            ctx.Note($"{field} none → no thinking");
            return maxTokens;
        }

        // Anthropic: "Tool use with thinking only supports tool_choice auto or none".
        if (toolChoice?["type"].AsString() is "any" or "tool")
        {
            ctx.Note($"{field} {requested} → no thinking (Anthropic does not combine thinking with a forced tool_choice)");
            return maxTokens;
        }

        // A tool continuation must repeat the assistant turn's thinking block, which an OpenAI client cannot send back.
        if (IsToolContinuationWithoutThinking(messages))
        {
            ctx.Note($"{field} {requested} → no thinking (tool continuation without the earlier thinking block)");
            return maxTokens;
        }

        if (Effort.SupportsAdaptive(ctx.Model))
        {
            output["thinking"] = new JsonObject { ["type"] = "adaptive" };
            output["output_config"] = output["output_config"] as JsonObject ?? [];
            output["output_config"]!["effort"] = effort;
            ctx.Note($"{field} {requested} → thinking adaptive, effort {effort}");
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

            output["thinking"] = new JsonObject { ["type"] = "enabled", ["budget_tokens"] = budget };
            ctx.Note($"{field} {requested} → thinking budget {budget}");
        }

        // Thinking allows no custom temperature, and top_p only from 0.95 (extended thinking reference).
        if (output.Remove("temperature"))
        {
            ctx.Drop("temperature (not allowed together with thinking)");
        }

        if (output["top_p"].AsDouble() is < 0.95)
        {
            output.Remove("top_p");
            ctx.Drop("top_p (below 0.95 is not allowed together with thinking)");
        }

        return maxTokens;
    }

    /// <summary>The conversation ends in tool results answering an assistant turn that has no thinking block.</summary>
    private static bool IsToolContinuationWithoutThinking(JsonArray messages)
    {
        if (messages.Count < 2 || messages[^1] is not JsonObject last || last["role"].AsString() != "user")
        {
            return false;
        }

        var endsInToolResult = false;
        foreach (var block in (JsonArray)last["content"]!)
        {
            endsInToolResult |= block.Prop("type").AsString() == "tool_result";
        }

        if (!endsInToolResult || messages[^2] is not JsonObject assistant || assistant["content"] is not JsonArray { Count: > 0 } blocks)
        {
            return false;
        }

        return blocks[0].Prop("type").AsString() is not ("thinking" or "redacted_thinking");
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

    private static string ContentText(JsonNode? content, string path)
    {
        if (content is null)
        {
            return "";
        }

        if (content.AsString() is { } s)
        {
            return s;
        }

        if (content is not JsonArray parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        var sb = new StringBuilder();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.Prop("type").AsString() is not ("text" or "refusal") || (part.Prop("text") ?? part.Prop("refusal")).AsString() is not { } text)
            {
                throw new TranslationException(400, $"{path}.content.{i}: must be a text part here (got {JsonOutput.Describe(part.Prop("type") ?? part)}).");
            }

            AppendParagraph(sb, text);
        }

        return sb.ToString();
    }

    private static JsonArray UserBlocks(JsonNode? content, string path, TranslationContext ctx)
    {
        if (content.AsString() is { } s)
        {
            return s.Length == 0 ? [] : [Text(s)];
        }

        if (content is not JsonArray parts)
        {
            throw new TranslationException(400, $"{path}.content: must be a string or an array of content parts.");
        }

        var blocks = new JsonArray();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var partPath = $"{path}.content.{i}";
            switch (part.Prop("type").AsString())
            {
                case "text":
                    var text = part.Prop("text").AsString() ?? throw new TranslationException(400, $"{partPath}.text: must be a string.");
                    if (text.Length > 0)
                    {
                        blocks.Add(Text(text));
                    }

                    break;
                case "image_url":
                    var imageUrl = part.Prop("image_url");
                    var url = imageUrl.Prop("url").AsString() ?? imageUrl.AsString() ?? throw new TranslationException(400, $"{partPath}.image_url.url: must be a string.");
                    blocks.Add(Image(url));
                    if (imageUrl.Prop("detail") is not null)
                    {
                        ctx.Drop("image_url.detail");
                    }

                    break;
                case "file":
                    blocks.Add(Document(part.Prop("file"), partPath + ".file"));
                    break;
                default:
                    throw new TranslationException(400, $"{partPath}.type: content part type {JsonOutput.Describe(part.Prop("type") ?? part)} is not supported by this model's provider (text, image_url, file).");
            }
        }

        return blocks;
    }

    /// <summary>
    /// A Chat Completions <c>file</c> part (or a Responses <c>input_file</c> part, which has the same fields)
    /// with inline data: a PDF becomes a base64 <c>document</c>, plain text a text document. A <c>file_id</c>
    /// names a file stored at OpenAI, which Anthropic cannot read. <paramref name="path"/> names the object
    /// that holds the fields.
    /// </summary>
    internal static JsonObject Document(JsonNode? file, string path)
    {
        if (file.Prop("file_id") is not null)
        {
            throw new TranslationException(400, $"{path}.file_id: uploaded files cannot be read by this model's provider; send the file inline as file_data.");
        }

        var data = file.Prop("file_data").AsString() ?? throw new TranslationException(400, $"{path}.file_data: must be a data URL string.");
        var marker = data.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase);
        var mediaType = data.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && marker > 5 ? data[5..marker] : null;
        JsonObject source = mediaType switch
        {
            "application/pdf" => new JsonObject { ["type"] = "base64", ["media_type"] = "application/pdf", ["data"] = data[(marker + 8)..] },
            "text/plain" => new JsonObject { ["type"] = "text", ["media_type"] = "text/plain", ["data"] = DecodeText(data[(marker + 8)..], path) },
            _ => throw new TranslationException(400, $"{path}.file_data: only PDF and plain-text files (as base64 data URLs) can be sent to this model's provider."),
        };

        var document = new JsonObject { ["type"] = "document", ["source"] = source };
        if (file.Prop("filename").AsString() is { } filename)
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

    private static JsonArray AssistantBlocks(JsonObject message, string path, TranslationContext ctx)
    {
        var blocks = new JsonArray();
        var text = ContentText(message["content"], path);
        if (text.Length > 0)
        {
            blocks.Add(Text(text));
        }

        if (message["reasoning_content"] is not null || message["reasoning"] is not null)
        {
            // Anthropic thinking blocks need a signature only Anthropic can make.
            ctx.Drop("assistant reasoning_content");
        }

        if (message["tool_calls"] is { } callsNode)
        {
            var calls = callsNode as JsonArray ?? throw new TranslationException(400, $"{path}.tool_calls: must be an array.");
            for (var i = 0; i < calls.Count; i++)
            {
                var call = calls[i] as JsonObject ?? throw new TranslationException(400, $"{path}.tool_calls.{i}: must be an object.");
                blocks.Add(ToolUse(call["id"].AsString(), call["function"], ctx));
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
        var name = function.Prop("name").AsString() ?? "";
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
    /// be.
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

    private static JsonObject ToolResult(JsonObject message, string role, string path)
    {
        var id = role == "function" ? "call_" + message["name"].AsString() : message["tool_call_id"].AsString() ?? "";
        var text = ContentText(message["content"], path);
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

    private static JsonArray ConvertTools(JsonNode toolsNode, HashSet<string> dropped, TranslationContext ctx)
    {
        var tools = toolsNode as JsonArray ?? throw new TranslationException(400, "tools: must be an array of tools.");
        var result = new JsonArray();
        for (var i = 0; i < tools.Count; i++)
        {
            var tool = tools[i] as JsonObject ?? throw new TranslationException(400, $"tools.{i}: each tool must be an object.");
            if (tool["type"].AsString() is { } type && type != "function")
            {
                ctx.Drop($"tool type {type}");
                if ((tool[type].Prop("name") ?? tool["name"]).AsString() is { } droppedName)
                {
                    dropped.Add(droppedName);
                }

                continue;
            }

            var function = tool["function"] as JsonObject ?? throw new TranslationException(400, $"tools.{i}.function: must be an object.");
            result.Add(Tool(function, $"tools.{i}.function"));
        }

        return result;
    }

    private static JsonArray ConvertFunctions(JsonNode functionsNode)
    {
        var functions = functionsNode as JsonArray ?? throw new TranslationException(400, "functions: must be an array.");
        var result = new JsonArray();
        for (var i = 0; i < functions.Count; i++)
        {
            result.Add(Tool(functions[i] as JsonObject ?? throw new TranslationException(400, $"functions.{i}: must be an object."), $"functions.{i}"));
        }

        return result;
    }

    private static JsonObject Tool(JsonObject function, string path)
    {
        var tool = new JsonObject { ["name"] = function["name"].AsString() ?? throw new TranslationException(400, $"{path}.name: must be a string.") };
        if (function["description"].AsString() is { } description)
        {
            tool["description"] = description;
        }

        // input_schema is required and must be an object schema.
        var parameters = function["parameters"];
        if (parameters is not null and not JsonObject)
        {
            throw new TranslationException(400, $"{path}.parameters: must be a JSON Schema object.");
        }

        tool["input_schema"] = parameters?.DeepClone() ?? new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() };
        if (function["strict"].AsBool() is { } strict)
        {
            // Anthropic's strict tool use: inputs guaranteed to match input_schema, like OpenAI's strict.
            tool["strict"] = strict;
        }

        return tool;
    }

    private static JsonObject? ConvertToolChoice(JsonNode choice, string field, out HashSet<string>? allowedTools)
    {
        allowedTools = null;
        switch (choice.AsString())
        {
            case "auto":
                return new JsonObject { ["type"] = "auto" };
            case "required":
                return new JsonObject { ["type"] = "any" };
            case "none":
                return new JsonObject { ["type"] = "none" };
            case { } other:
                throw new TranslationException(400, $"{field}: must be 'auto', 'required', 'none' or an object naming a function (got '{other}').");
        }

        if (choice is not JsonObject o)
        {
            throw new TranslationException(400, $"{field}: must be 'auto', 'required', 'none' or an object naming a function.");
        }

        // {"type":"allowed_tools","allowed_tools":{"mode":"auto"|"required","tools":[{"type":"function","function":{"name":…}}]}}
        if (o["type"].AsString() == "allowed_tools")
        {
            var allowed = o["allowed_tools"];
            var mode = allowed.Prop("mode").AsString();
            if (allowed.Prop("tools") is not JsonArray list || mode is not ("auto" or "required"))
            {
                throw new TranslationException(400, $"{field}.allowed_tools: needs mode 'auto' or 'required' and a tools array.");
            }

            allowedTools = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in list)
            {
                if ((entry.Prop("function").Prop("name") ?? entry.Prop("name")).AsString() is { } name)
                {
                    allowedTools.Add(name);
                }
            }

            return new JsonObject { ["type"] = mode == "required" ? "any" : "auto" };
        }

        // {"type":"function","function":{"name":...}} or the deprecated {"name":...}.
        var functionName = (o["function"].Prop("name") ?? o["name"]).AsString()
            ?? throw new TranslationException(400, $"{field}: an object tool choice must name a function.");
        return new JsonObject { ["type"] = "tool", ["name"] = functionName };
    }

    /// <summary><c>allowed_tools</c>: Anthropic has no such list, so only the allowed tools are sent (noted).</summary>
    private static void LimitToAllowedTools(JsonArray tools, HashSet<string>? allowed, TranslationContext ctx)
    {
        if (allowed is null)
        {
            return;
        }

        var before = tools.Count;
        for (var i = tools.Count - 1; i >= 0; i--)
        {
            if (!allowed.Contains(tools[i]!["name"].AsString() ?? ""))
            {
                tools.RemoveAt(i);
            }
        }

        ctx.Note($"tool_choice allowed_tools → {tools.Count} of {before} tools sent");
    }

    /// <summary>A tool_choice naming a tool that is not sent upstream would be rejected there: the model chooses instead (noted).</summary>
    private static JsonObject? CheckToolChoiceTarget(JsonObject? toolChoice, JsonArray tools, TranslationContext ctx)
    {
        if (toolChoice?["type"].AsString() != "tool")
        {
            return toolChoice;
        }

        var name = toolChoice["name"].AsString();
        foreach (var tool in tools)
        {
            if (tool!["name"].AsString() == name)
            {
                return toolChoice;
            }
        }

        ctx.Note($"tool_choice {name} → auto (the tool was not sent upstream)");
        return new JsonObject { ["type"] = "auto" };
    }

    private static void AddResponseFormat(JsonNode? format, StringBuilder system, JsonObject output, TranslationContext ctx)
    {
        if (format is null)
        {
            return;
        }

        switch (format.Prop("type").AsString())
        {
            case "text":
                break;
            case "json_object":
                // Anthropic's structured output needs a schema; without one an instruction is the closest.
                ctx.Note("response_format json_object → system instruction (Anthropic has no schema-less JSON mode)");
                AppendParagraph(system, "Respond with a single valid JSON object and nothing else: no prose, no code fences.");
                break;
            case "json_schema":
                if (format.Prop("json_schema").Prop("schema") is not JsonObject schema)
                {
                    throw new TranslationException(400, "response_format.json_schema.schema: must be a JSON Schema object.");
                }

                output["output_config"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "json_schema", ["schema"] = schema.DeepClone() },
                };
                break;
            default:
                throw new TranslationException(400, $"response_format.type: must be 'text', 'json_object' or 'json_schema' (got {JsonOutput.Describe(format.Prop("type") ?? format)}).");
        }
    }
}
