using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Reading a Responses request the same way for every target: the input items, text content, and the
/// request-level fields whose meaning does not depend on the target (state, truncation). Each
/// translator writes its own format from these.
/// </summary>
internal static class ResponsesInput
{
    /// <summary>The arguments of a <c>custom_tool_call</c> as sent upstream: the freeform input under <see cref="ResponsesTools.CustomInputProperty"/>.</summary>
    public static string CustomArguments(string input)
        => new JsonObject { [ResponsesTools.CustomInputProperty] = input }.ToJsonString(JsonOutput.SerializerOptions);

    /// <summary>The type of an input item (an object): its <c>type</c>, or <c>message</c> for one with a role and no type; null when neither.</summary>
    public static string? ItemType(JsonElement item)
        => item.Prop("type").AsString() ?? (item.Prop("role") is not null ? "message" : null);

    /// <summary>
    /// The array <c>input</c> checked: every item an object with a type (or a role), each
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

    /// <summary>A message item's role (user, assistant, system or developer); anything else is refused.</summary>
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
    /// One text part of system/developer or assistant content: its text or refusal string; any
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

    /// <summary>Appends every text part of an assistant message's content array, in order (<see cref="TextPart"/> refuses any other part).</summary>
    public static void AppendTextParts(Utf8Text text, JsonElement? content, string path)
    {
        var i = 0;
        foreach (var part in Parts(content, $"{path}.content").EnumerateArray())
        {
            text.Append(TextPart(part, path, i++));
        }
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

    /// <summary>The fields whose handling is the same for every target; false when <paramref name="name"/> is not one of them.</summary>
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

    /// <summary><c>include</c> values other than <paramref name="honoured"/> ask for output the provider cannot give; each is recorded.</summary>
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

    /// <summary>
    /// The JSON-schema format of <c>text.format</c>: name, schema, strict, description. Null for plain text
    /// and json_object (the caller handles that).
    /// </summary>
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

    /// <summary>The client's <c>reasoning.effort</c> (null when absent), recording the reasoning fields no target carries.</summary>
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

    /// <summary>A JSON number that must be a positive integer (max_output_tokens).</summary>
    public static long PositiveInteger(JsonElement value, string name)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n > 0
            ? n
            : throw new TranslationException(400, $"{name}: must be a positive integer.");

    /// <summary>A JSON number that fits a double (<c>1e400</c> does not: it would read as infinity, which JSON cannot carry upstream).</summary>
    public static double Number(JsonElement value, string name)
        => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d)
            ? d
            : throw new TranslationException(400, $"{name}: must be a number.");

    /// <summary>A message item's role (user, assistant, system or developer); anything else is refused.</summary>
    public static bool Bool(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new TranslationException(400, $"{name}: must be true or false."),
    };
}
