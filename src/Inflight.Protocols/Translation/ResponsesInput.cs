using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>One item of a Responses <c>input</c>: the object, its path for error messages, and its type.</summary>
internal readonly record struct InputItem(JsonObject Item, string Path, string Type);

/// <summary>
/// Reading a Responses request the same way for every target: the input items, text content, and the
/// request-level fields whose meaning does not depend on the target (state, truncation). Each
/// translator writes its own format from these.
/// </summary>
internal static class ResponsesInput
{
    /// <summary><c>input</c> as items: a string is one user message; an item without a type but with a role is a message.</summary>
    public static List<InputItem> Items(JsonObject request)
    {
        var items = new List<InputItem>();
        if (TakeString(request, "input") is { } text)
        {
            items.Add(new InputItem(new JsonObject { ["type"] = "message", ["role"] = "user", ["content"] = text }, "input", "message"));
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
            items.Add(new InputItem(item, path, type));
        }

        return items;
    }

    public static string Role(InputItem message)
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

    /// <summary>The arguments of a <c>custom_tool_call</c> as sent upstream: the freeform input under <see cref="ResponsesTools.CustomInputProperty"/>.</summary>
    public static string CustomArguments(string input)
        => new JsonObject { [ResponsesTools.CustomInputProperty] = input }.ToJsonString(JsonOutput.SerializerOptions);

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

    // The same reading over the parsed body (JsonElement), for the translators that write their output in one pass
    // (ResponsesToOpenAIRequest, ResponsesToAnthropicRequest). A JSON null reads as absent, as it does in JsonNode. The
    // JsonNode members above now serve only the JsonNode reference translator the tests hold ResponsesToAnthropicRequest to.

    /// <summary>The type of an input item (an object): its <c>type</c>, or <c>message</c> for one with a role and no type; null when neither.</summary>
    public static string? ItemType(JsonElement item)
        => item.Prop("type").AsString() ?? (item.Prop("role") is not null ? "message" : null);

    /// <summary>
    /// The array <c>input</c> as <see cref="Items(JsonObject)"/> checks it: every item an object with a type (or a role), each
    /// refused in order before any item is translated. A string <c>input</c> (one user message) is returned as is.
    /// </summary>
    public static JsonElement CheckItems(JsonElement request)
    {
        var input = request.Prop("input");
        if (input is { ValueKind: JsonValueKind.String } text)
        {
            return text;
        }

        if (input is not { ValueKind: JsonValueKind.Array } items)
        {
            throw new TranslationException(400, "input: field required (a string or an array of input items).");
        }

        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException(400, $"input[{i}]: each input item must be an object.");
            }

            if (!item.Prop("type").IsString() && item.Prop("role") is null)
            {
                throw new TranslationException(400, $"input[{i}].type: required.");
            }

            i++;
        }

        return items;
    }

    /// <inheritdoc cref="Role(InputItem)"/>
    public static string Role(JsonElement item, string path)
    {
        var role = item.Prop("role");
        return role.Is("user") ? "user"
            : role.Is("assistant") ? "assistant"
            : role.Is("system") ? "system"
            : role.Is("developer") ? "developer"
            : throw new TranslationException(400, $"{path}.role: must be 'user', 'assistant', 'system' or 'developer'.");
    }

    /// <summary>
    /// One text part of system/developer or assistant content (<see cref="TakeTextParts"/>): its text or refusal string; any
    /// other part is refused.
    /// </summary>
    public static JsonElement TextPart(JsonElement part, string path, int i)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, $"{path}.content[{i}]: must be an object.");
        }

        var type = part.Prop("type");
        var field = type.Is("input_text") || type.Is("output_text") || type.Is("text") ? "text"
            : type.Is("refusal") ? "refusal"
            : throw new TranslationException(400, $"{path}.content[{i}].type: '{type.AsString()}' is not allowed here (text parts only).");
        return part.Prop(field) is { ValueKind: JsonValueKind.String } text
            ? text
            : throw new TranslationException(400, $"{path}.content[{i}]: {field} must be a string.");
    }

    /// <summary>A content array (<c>content</c> or a tool's <c>output</c>) that is not a string must be an array.</summary>
    public static JsonElement Parts(JsonElement? content, string path)
        => content is { ValueKind: JsonValueKind.Array } parts ? parts : throw new TranslationException(400, $"{path}: must be a string or an array of content parts.");

    /// <summary>A part of a content array must be an object.</summary>
    public static JsonElement Part(JsonElement part, string path, int i)
        => part.ValueKind == JsonValueKind.Object ? part : throw new TranslationException(400, $"{path}.content[{i}]: must be an object.");

    /// <summary>A required string field, as .NET text (names and ids).</summary>
    public static string RequiredString(JsonElement item, string field, string path)
        => item.Prop(field).AsString() ?? throw new TranslationException(400, $"{path}.{field}: required (a string).");

    /// <summary>A required string field as it is in the body (texts, copied into the output without a .NET string).</summary>
    public static JsonElement RequiredText(JsonElement obj, string field, string path)
        => obj.Prop(field) is { ValueKind: JsonValueKind.String } text ? text : throw new TranslationException(400, $"{path}.{field}: required (a string).");

    /// <inheritdoc cref="TryCommonField(string, JsonNode, TranslationContext)"/>
    public static bool TryCommonField(string name, JsonElement value, TranslationContext ctx)
    {
        switch (name)
        {
            case "store":
                if (value.ValueKind == JsonValueKind.True)
                {
                    ctx.Note("store: true — not stored (Inflight keeps no responses for translated providers)");
                }

                return true;
            case "background":
                if (value.ValueKind == JsonValueKind.True)
                {
                    throw new TranslationException(400, "background: background responses are stored for polling; " + ResponsesRequestFields.StatelessMessage);
                }

                return true;
            case "truncation":
                if (value.ValueKind == JsonValueKind.String && value.ValueEquals("auto"))
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

    /// <inheritdoc cref="Include(JsonNode, string?, TranslationContext)"/>
    public static void Include(JsonElement value, string? honoured, TranslationContext ctx)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new TranslationException(400, "include: must be an array of strings.");
        }

        foreach (var v in value.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException(400, "include: must be an array of strings.");
            }

            if (honoured is null || !v.ValueEquals(honoured))
            {
                ctx.Drop($"include {v.GetString()}");
            }
        }
    }

    /// <inheritdoc cref="TextFormat(JsonNode?, out bool, TranslationContext)"/>
    public static JsonElement? TextFormat(JsonElement text, out bool jsonObject, TranslationContext ctx)
    {
        jsonObject = false;
        if (text.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "text: must be an object.");
        }

        foreach (var property in text.EnumerateObject())
        {
            if (!property.NameEquals("format") && !property.NameEquals("verbosity"))
            {
                ctx.Drop($"text.{property.Name}");
            }
        }

        if (text.Prop("format") is not { } format)
        {
            return null;
        }

        if (format.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "text.format: must be an object.");
        }

        var type = format.Prop("type");
        if (type.Is("text"))
        {
            return null;
        }

        if (type.Is("json_object"))
        {
            jsonObject = true;
            return null;
        }

        if (type.Is("json_schema"))
        {
            return format.Prop("schema").IsObject() ? format : throw new TranslationException(400, "text.format.schema: required (a JSON schema object).");
        }

        throw new TranslationException(400, "text.format.type: must be 'text', 'json_object' or 'json_schema'.");
    }

    /// <inheritdoc cref="ReasoningEffort(JsonNode, bool, TranslationContext)"/>
    public static string? ReasoningEffort(JsonElement value, bool summaryHonoured, TranslationContext ctx)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException(400, "reasoning: must be an object.");
        }

        string? effort = null;
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (property.NameEquals("effort"))
            {
                effort = property.Value.NotNull().AsString() ?? throw new TranslationException(400, "reasoning.effort: must be a string.");
            }
            else if (!summaryHonoured || (!property.NameEquals("summary") && !property.NameEquals("generate_summary")))
            {
                ctx.Drop($"reasoning.{property.Name}");
            }
        }

        return effort;
    }

    /// <inheritdoc cref="PositiveInteger(JsonNode, string)"/>
    public static long PositiveInteger(JsonElement value, string name)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n > 0
            ? n
            : throw new TranslationException(400, $"{name}: must be a positive integer.");

    /// <summary>A JSON number that fits a double (<c>1e400</c> does not: it would read as infinity, which JSON cannot carry upstream).</summary>
    public static double Number(JsonElement value, string name)
        => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d)
            ? d
            : throw new TranslationException(400, $"{name}: must be a number.");

    /// <inheritdoc cref="Bool(JsonNode, string)"/>
    public static bool Bool(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new TranslationException(400, $"{name}: must be true or false."),
    };
}
