using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Real Codex request bodies (recorded from the pinned CLI, machine paths scrubbed) and shared assertions.</summary>
internal static class ResponsesRequestSupport
{
    /// <summary>Codex 0.171.0, model gpt-5.5, effort high: second request of a tool round trip, with a reasoning item made by Inflight.</summary>
    public const string CodexRecording = "codex-0.171.0-responses.json";

    /// <summary>Codex 0.171.0 with a model it has no metadata for: namespace tools, no effort, reasoning summary only.</summary>
    public const string CodexFallbackRecording = "codex-0.171.0-responses-fallback-model.json";

    public static byte[] Recording(string name)
        => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Translation", "Recordings", name));

    public static JsonObject RecordingJson(string name) => (JsonObject)JsonNode.Parse(Recording(name))!;

    public static JsonObject Translate(Func<byte[], TranslationContext, byte[]> translator, string body, TranslationContext ctx)
        => (JsonObject)JsonNode.Parse(translator(TranslationTestSupport.Utf8(body), ctx))!;

    public static TranslationException Refused(Func<byte[], TranslationContext, byte[]> translator, string body, string model)
    {
        var ex = Assert.Throws<TranslationException>(() => translator(TranslationTestSupport.Utf8(body), TranslationTestSupport.Context(model)));
        Assert.Equal(400, ex.Status);
        return ex;
    }

    public static List<string> Names(JsonArray tools, Func<JsonNode, string?> name)
        => tools.Select(t => name(t!)!).ToList();
}
