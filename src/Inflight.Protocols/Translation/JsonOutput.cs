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
    public static JsonDocument ParseDocument(ReadOnlySpan<byte> json, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), DocumentOptions);
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
