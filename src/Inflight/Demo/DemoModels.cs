using System.Globalization;

namespace Inflight.Demo;

/// <summary>The models the demo provider lists; it answers to any model name, these are just advertised.</summary>
internal static class DemoModels
{
    public static IReadOnlyList<(string Id, string DisplayName)> All { get; } =
    [
        ("demo-fast", "Demo Fast"),
        ("demo-large", "Demo Large"),
        ("claude-demo", "Claude Demo"),
        ("gpt-demo", "GPT Demo"),
    ];

    /// <summary>Creation time shown for every model, fixed so the listing is stable.</summary>
    private static readonly DateTimeOffset s_created = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>OpenAI's <c>{"object":"list","data":[{"id","object":"model","created","owned_by"}]}</c>.</summary>
    public static byte[] OpenAIList() => DemoWire.Json(static w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var (id, _) in All)
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "model");
            w.WriteNumber("created", s_created.ToUnixTimeSeconds());
            w.WriteString("owned_by", "inflight-demo");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>Anthropic's <c>{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}</c>.</summary>
    public static byte[] AnthropicList() => DemoWire.Json(static w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("data");
        foreach (var (id, name) in All)
        {
            w.WriteStartObject();
            w.WriteString("type", "model");
            w.WriteString("id", id);
            w.WriteString("display_name", name);
            w.WriteString("created_at", s_created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", false);
        w.WriteString("first_id", All[0].Id);
        w.WriteString("last_id", All[^1].Id);
        w.WriteEndObject();
    });

    /// <summary>Anthropic's <c>count_tokens</c> answer, estimated like the prompt usage of a reply.</summary>
    public static byte[] TokenCount(int bodyBytes) => DemoWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("input_tokens", DemoReplyPlanner.EstimatePromptTokens(bodyBytes));
        w.WriteEndObject();
    });
}
