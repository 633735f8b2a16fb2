using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Inflight.Demo;

/// <summary>
/// Invents tool-call arguments that fit the tool's JSON schema, so a client that validates them (or a
/// dashboard that shows them) sees something sensible, and cuts them into the fragments a model streams.
/// </summary>
internal static class DemoToolArguments
{
    private static readonly string[] s_paths = ["src/Inflight/Program.cs", "README.md", "src/Inflight/Gateway/GatewayExtensions.cs", "tests/Inflight.Tests/Inflight.Tests.csproj"];
    private static readonly string[] s_commands = ["dotnet test", "git status", "ls -la src", "dotnet build -c Release"];
    private static readonly string[] s_queries = ["server-sent events backpressure", "retry-after header semantics", "prompt caching pricing", "cancellation token propagation"];
    private static readonly string[] s_places = ["Lisbon", "Oslo", "Nairobi", "Montreal", "Kyoto"];
    private static readonly string[] s_words = ["summary", "latest", "default", "verbose", "draft"];

    public static string Create(JsonElement? schema, Random random)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (schema is { } s && s.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                var written = 0;
                foreach (var property in properties.EnumerateObject())
                {
                    if (written++ == 4)
                    {
                        break;
                    }

                    writer.WritePropertyName(property.Name);
                    WriteValue(writer, property.Name, property.Value, random);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Cuts JSON text into fragments of 1 to 12 characters, the way input_json_delta and arguments deltas arrive.</summary>
    public static List<string> Fragment(string json, Random random)
    {
        var fragments = new List<string>();
        var i = 0;
        while (i < json.Length)
        {
            var length = Math.Min(json.Length - i, random.Next(1, 13));
            fragments.Add(json.Substring(i, length));
            i += length;
        }

        return fragments;
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, JsonElement schema, Random random)
    {
        var type = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "string";
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            choices[random.Next(choices.GetArrayLength())].WriteTo(writer);
            return;
        }

        switch (type)
        {
            case "integer":
                writer.WriteNumberValue(random.Next(1, 100));
                break;
            case "number":
                writer.WriteNumberValue(Math.Round(random.NextDouble() * 100, 2));
                break;
            case "boolean":
                writer.WriteBooleanValue(random.Next(2) == 0);
                break;
            case "array":
                writer.WriteStartArray();
                writer.WriteStringValue(Pick(s_words, random));
                writer.WriteEndArray();
                break;
            case "object":
                writer.WriteStartObject();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(StringFor(name, random));
                break;
        }
    }

    private static string StringFor(string name, Random random)
    {
        var lower = name.ToLowerInvariant();
        return lower switch
        {
            _ when lower.Contains("path", StringComparison.Ordinal) || lower.Contains("file", StringComparison.Ordinal) => Pick(s_paths, random),
            _ when lower.Contains("command", StringComparison.Ordinal) || lower.Contains("cmd", StringComparison.Ordinal) => Pick(s_commands, random),
            _ when lower.Contains("query", StringComparison.Ordinal) || lower.Contains("search", StringComparison.Ordinal) => Pick(s_queries, random),
            _ when lower.Contains("city", StringComparison.Ordinal) || lower.Contains("location", StringComparison.Ordinal) => Pick(s_places, random),
            _ => Pick(s_words, random),
        };
    }

    private static string Pick(string[] values, Random random) => values[random.Next(values.Length)];
}
