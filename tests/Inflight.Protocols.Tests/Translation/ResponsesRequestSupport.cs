using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Real Codex request bodies (recorded from the pinned CLI, machine paths scrubbed) and shared helpers.</summary>
internal static class ResponsesRequestSupport
{
    /// <summary>Codex 0.171.0, model gpt-5.5, effort high: second request of a tool round trip, with a reasoning item made by Inflight.</summary>
    public const string CodexRecording = "codex-0.171.0-responses.json";

    /// <summary>Codex 0.171.0 with a model it has no metadata for: namespace tools, no effort, reasoning summary only.</summary>
    public const string CodexFallbackRecording = "codex-0.171.0-responses-fallback-model.json";

    /// <summary>
    /// Codex 0.171.0, model gpt-5.5: the request after the model called the freeform (custom) apply_patch tool,
    /// carrying <c>custom_tool_call</c> and <c>custom_tool_call_output</c>. Codex rejects an apply_patch call
    /// that comes back as a function_call ("incompatible payload"), so output translation must answer custom
    /// tools as custom_tool_call (see <see cref="ClientToolKind.Custom"/>).
    /// </summary>
    public const string CodexCustomToolRecording = "codex-0.171.0-responses-custom-tool.json";

    public const string ApplyPatchInput = "*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n";

    /// <summary>A context whose <paramref name="notes"/> receives every translation note as recorded (<c>"dropped: x"</c>, <c>"a → b"</c>).</summary>
    public static TranslationContext NotesContext(string model, List<string> notes) => new()
    {
        Model = model,
        TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(TranslationTestSupport.Now)),
        OnNote = notes.Add,
    };

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
