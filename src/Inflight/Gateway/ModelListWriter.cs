using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Inflight.Gateway;

/// <summary>
/// Writes model lists and single models in each API's shape: Anthropic's
/// <c>{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}</c> and
/// OpenAI's <c>{"object":"list","data":[{"id","object":"model","created","owned_by"}]}</c>.
/// </summary>
internal static class ModelListWriter
{
    public static byte[] AnthropicPage(IReadOnlyList<ModelEntry> page, bool hasMore) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var model in page)
        {
            WriteAnthropicModel(w, model);
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", hasMore);
        WriteIdOrNull(w, "first_id", page.Count > 0 ? page[0].Id : null);
        WriteIdOrNull(w, "last_id", page.Count > 0 ? page[^1].Id : null);
        w.WriteEndObject();
    });

    public static byte[] OpenAIList(IReadOnlyList<ModelEntry> models) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var model in models)
        {
            WriteOpenAIModel(w, model);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] AnthropicModel(ModelEntry model) => Write(w => WriteAnthropicModel(w, model));

    public static byte[] OpenAIModel(ModelEntry model) => Write(w => WriteOpenAIModel(w, model));

    private static void WriteAnthropicModel(Utf8JsonWriter w, ModelEntry model)
    {
        w.WriteStartObject();
        w.WriteString("type", "model");
        w.WriteString("id", model.Id);
        w.WriteString("display_name", model.DisplayName);
        // RFC 3339, as Anthropic writes it.
        w.WriteString("created_at", model.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static void WriteOpenAIModel(Utf8JsonWriter w, ModelEntry model)
    {
        w.WriteStartObject();
        w.WriteString("id", model.Id);
        w.WriteString("object", "model");
        w.WriteNumber("created", model.CreatedAt.ToUnixTimeSeconds());
        w.WriteString("owned_by", model.Provider);
        w.WriteEndObject();
    }

    private static void WriteIdOrNull(Utf8JsonWriter w, string name, string? id)
    {
        if (id is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, id);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
