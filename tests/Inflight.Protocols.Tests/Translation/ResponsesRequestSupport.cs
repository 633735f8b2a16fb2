using System.Text;
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

    /// <summary>
    /// Holds a one-pass Responses translator to its JsonNode reference on <paramref name="body"/>: the same output bytes,
    /// the same 400, the same notes in order, <c>ClientStream</c> and tool names for the client.
    /// </summary>
    public static void AssertSameAsReference(
        byte[] body, string model, string what, Func<byte[], TranslationContext, byte[]> reference, Func<byte[], TranslationContext, byte[]> translator)
    {
        var expectedNotes = new List<string>();
        var actualNotes = new List<string>();
        var expectedContext = TranslationTestSupport.Context(model, expectedNotes);
        var actualContext = TranslationTestSupport.Context(model, actualNotes);
        var expected = Run(() => reference(body, expectedContext));
        var actual = Run(() => translator(body, actualContext));

        var because = $"{what} → {model}";
        Assert.True(expected.Error == actual.Error, $"{because}: error\nexpected: {expected.Error}\nactual:   {actual.Error}");
        var expectedText = expected.Output is null ? null : Encoding.UTF8.GetString(expected.Output);
        var actualText = actual.Output is null ? null : Encoding.UTF8.GetString(actual.Output);
        Assert.True(expectedText == actualText, $"{because}: output\nexpected: {expectedText}\nactual:   {actualText}");
        Assert.Equal(expected.Output, actual.Output);
        Assert.True(expectedNotes.SequenceEqual(actualNotes), $"{because}: notes\nexpected: {string.Join(" | ", expectedNotes)}\nactual:   {string.Join(" | ", actualNotes)}");
        Assert.Equal(expectedContext.Notes, actualContext.Notes);
        Assert.Equal(expectedContext.ClientStream, actualContext.ClientStream);
        Assert.Equal(
            expectedContext.ToolNamesForClient?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList(),
            actualContext.ToolNamesForClient?.OrderBy(p => p.Key, StringComparer.Ordinal).ToList());
    }

    private static (byte[]? Output, string? Error) Run(Func<byte[]> translate)
    {
        try
        {
            return (translate(), null);
        }
        catch (TranslationException ex)
        {
            return (null, $"{ex.Status}: {ex.Message}");
        }
    }
}
