using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Inflight.Protocols.Translation;

/// <summary>Shared JSON settings: output keeps non-ASCII text readable (the APIs send UTF-8 as is).</summary>
internal static class JsonOutput
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static readonly JsonSerializerOptions SerializerOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        MaxDepth = 256,

        // A body with a key twice is ambiguous (which one did the client mean?): refused like bad JSON.
        AllowDuplicateProperties = false,
    };

    public static byte[] ToBytes(JsonNode node)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer, SerializerOptions);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a request or response body; a body that is not a JSON object is the client's fault (400).</summary>
    public static JsonObject ParseObject(ReadOnlySpan<byte> json, string what)
    {
        // JsonNode checks UTF-8 only when a string is read, which would throw far from here.
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new TranslationException(400, $"The {what} is not valid UTF-8.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new TranslationException(400, $"The {what} is not valid JSON: {ex.Message}");
        }

        return node as JsonObject ?? throw new TranslationException(400, $"The {what} must be a JSON object.");
    }

    /// <summary>Parses an upstream body for reading; like <see cref="ParseObject"/>, anything but a JSON object is a 400.</summary>
    public static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string what) => JsonInput.ParseDocument(json.ToArray(), what);

    /// <summary>
    /// The property <paramref name="name"/> when <paramref name="node"/> is an object, else null. Unlike the
    /// indexer, never throws on an array or a value, so a body of the wrong shape reads as "missing".
    /// </summary>
    public static JsonNode? Prop(this JsonNode? node, string name)
        => node is JsonObject o && o.TryGetPropertyValue(name, out var value) ? value : null;

    /// <summary>A value as an error message shows it: <c>'text'</c> (cut short), a number, <c>null</c>, <c>an object</c>, <c>an array</c>.</summary>
    public static string Describe(JsonNode? node) => node switch
    {
        null => "nothing",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v when v.TryGetValue<string>(out var s) => "'" + (s.Length > 40 ? s[..40] + "…" : s) + "'",
        _ => node.ToJsonString(),
    };

    public static string? AsString(this JsonNode? node)
        => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static long? AsLong(this JsonNode? node)
    {
        if (node is JsonValue v)
        {
            if (v.TryGetValue<long>(out var l))
            {
                return l;
            }

            if (v.TryGetValue<double>(out var d))
            {
                return (long)d;
            }
        }

        return null;
    }

    public static double? AsDouble(this JsonNode? node)
        => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    public static bool? AsBool(this JsonNode? node)
        => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    /// <summary>Parses tool-call arguments to an object; anything else (bad JSON, an array) gives null.</summary>
    public static JsonObject? ParseArguments(string? arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(arguments) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string ToCompactString(JsonNode? node)
        => node is null ? "{}" : node.ToJsonString(SerializerOptions);
}
