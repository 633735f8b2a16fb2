using System.Runtime.InteropServices;
using System.Text.Json;

namespace Inflight.Protocols.Translation;

/// <summary>
/// Reading a request over <see cref="JsonDocument"/> (its index is pooled and the body is not copied), with the
/// same "missing or null reads as absent" rules as the <see cref="JsonOutput"/> helpers on <c>JsonNode</c>:
/// a JSON <c>null</c> is never a value, so <c>{"system": null}</c> and no system read the same.
/// </summary>
internal static class JsonInput
{
    /// <summary>Parses a request body without copying it; anything but a JSON object (or UTF-8 that is not valid) is a 400.</summary>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> json, string what)
    {
        // The reader checks UTF-8 only in strings it unescapes; checking it all up front keeps every failure a 400 here.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw new TranslationException(400, $"The {what} is not valid UTF-8.");
        }

        return ParseDocument(json, what);
    }

    /// <summary>Parses a body that must be a JSON object (else a 400), without copying it or checking its UTF-8 up front.</summary>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> json, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, JsonOutput.DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new TranslationException(400, $"The {what} is not valid JSON: {ex.Message}");
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new TranslationException(400, $"The {what} must be a JSON object.");
        }

        return doc;
    }

    /// <summary>The property <paramref name="name"/> when <paramref name="element"/> is an object and it is there and not null.</summary>
    public static JsonElement? Prop(this JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <inheritdoc cref="Prop(JsonElement?, string)"/>
    public static JsonElement? Prop(this JsonElement element, string name) => ((JsonElement?)element).Prop(name);

    /// <summary>As <see cref="Prop(JsonElement?, string)"/> with the name in UTF-8 (a <c>u8</c> literal: no transcoding per look-up, for hot translators).</summary>
    public static JsonElement? Prop(this JsonElement? element, ReadOnlySpan<byte> utf8Name)
        => element is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(utf8Name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <inheritdoc cref="Prop(JsonElement?, ReadOnlySpan{byte})"/>
    public static JsonElement? Prop(this JsonElement element, ReadOnlySpan<byte> utf8Name) => ((JsonElement?)element).Prop(utf8Name);

    /// <summary>A value that is not JSON null, else null (a property's value as <see cref="Prop(JsonElement?, string)"/> reads it).</summary>
    public static JsonElement? NotNull(this JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element;

    public static bool IsString(this JsonElement? element) => element is { ValueKind: JsonValueKind.String };

    public static bool IsObject(this JsonElement? element) => element is { ValueKind: JsonValueKind.Object };

    public static bool IsArray(this JsonElement? element) => element is { ValueKind: JsonValueKind.Array };

    /// <summary>Whether the value is the string <paramref name="text"/> (compared without allocating).</summary>
    public static bool Is(this JsonElement? element, string text) => element is { ValueKind: JsonValueKind.String } s && s.ValueEquals(text);

    /// <inheritdoc cref="Is(JsonElement?, string)"/>
    public static bool Is(this JsonElement? element, ReadOnlySpan<byte> utf8Text) => element is { ValueKind: JsonValueKind.String } s && s.ValueEquals(utf8Text);

    /// <summary>A string value as .NET text; for short values (types, roles, ids): copy long texts with <see cref="Utf8Text"/> or <c>WriteTo</c>.</summary>
    public static string? AsString(this JsonElement? element) => element is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    public static long? AsLong(this JsonElement? element)
    {
        if (element is not { ValueKind: JsonValueKind.Number } n)
        {
            return null;
        }

        return n.TryGetInt64(out var l) ? l : n.TryGetDouble(out var d) ? (long)d : null;
    }

    public static double? AsDouble(this JsonElement? element)
        => element is { ValueKind: JsonValueKind.Number } n && n.TryGetDouble(out var d) ? d : null;

    public static bool? AsBool(this JsonElement? element) => element?.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Whether a string value is empty (its raw form is just the two quotes).</summary>
    public static bool IsEmptyString(this JsonElement element) => JsonMarshal.GetRawUtf8Value(element).Length == 2;

    /// <summary>A value as an error message shows it: <c>'text'</c> (cut short), a number, <c>null</c>, <c>an object</c>, <c>an array</c>.</summary>
    public static string Describe(JsonElement? element) => element?.ValueKind switch
    {
        null => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "'" + (element.Value.GetString() is { } s && s.Length > 40 ? s[..40] + "…" : element.Value.GetString()) + "'",
        _ => element.Value.GetRawText(),
    };

    /// <summary>
    /// Whether the JSON text has a <c>\u</c> escape of half a UTF-16 surrogate pair that is not part of a pair (<c>"\ud800"</c>):
    /// valid JSON that no string can be read from (System.Text.Json throws <see cref="InvalidOperationException"/> when it
    /// unescapes one). For telling that apart from other failures, not for checking every body: it reads the whole text.
    /// </summary>
    public static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var at = 0;
        while (json[at..].IndexOf("\\u"u8) is var found && found >= 0)
        {
            var i = at + found;
            at = i + 2;

            // An escape when the backslash is not itself escaped: the run of backslashes that ends here is odd.
            var run = 1;
            while (i - run >= 0 && json[i - run] == (byte)'\\')
            {
                run++;
            }

            if (run % 2 == 0 || !TryReadHex(json, i + 2, out var unit))
            {
                continue;
            }

            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (!(json.Length >= i + 12 && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u' && TryReadHex(json, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF))
                {
                    return true;
                }

                at = i + 12;
            }
        }

        return false;
    }

    private static bool TryReadHex(ReadOnlySpan<byte> json, int start, out int value)
    {
        value = 0;
        return json.Length >= start + 4
            && int.TryParse(json.Slice(start, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);
    }
}
