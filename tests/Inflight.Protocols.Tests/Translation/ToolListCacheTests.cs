using System.Text;
using System.Text.Json;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Translated tool lists kept by their bytes: a turn that resends a tool list gets exactly what translating it again
/// would give (body and notes, in order), a list that differs by a byte is translated anew, and what is refused or too
/// large is not kept.
/// </summary>
public sealed class ToolListCacheTests
{
    private const string Tools = """[{"name":"get_weather","description":"Weather \"now\"\nin a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},{"name":"web_search","type":"web_search_20250305"},{"name":"plain","type":"custom","strict":true,"cache_control":{"type":"ephemeral"},"defer_loading":true,"input_examples":[{}]},{"name":"second","cache_control":{"type":"ephemeral"}}]""";

    public static TheoryData<string> Bodies => new()
    {
        Encoding.UTF8.GetString(ClaudeCodeRecordings.Messages),
        Encoding.UTF8.GetString(ClaudeCodeRecordings.ToolResult),
        $$$"""{"model":"m","max_tokens":10,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"q"}],"tools":{{{Tools}}},"tool_choice":{"type":"tool","name":"web_search"},"top_k":3}""",
        $$$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":{{{Tools}}},"tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"only_server","type":"bash_20250124"}],"tool_choice":{"type":"any"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[]}""",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Translate_SameToolsAgain_HitGivesTheSameBodyAndNotes(string body)
    {
        var cache = new ToolListCache(8);
        var (first, firstNotes) = Translate(body, cache);
        var (second, secondNotes) = Translate(body, cache);

        Assert.Equal(1, cache.Stats.Hits);
        Assert.Equal(1, cache.Stats.Misses);
        Assert.Equal(Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(second));
        Assert.Equal(firstNotes, secondNotes);

        // And both are what the object-model reference translator gives.
        var referenceNotes = new List<string>();
        var reference = ReferenceAnthropicToOpenAIRequest.Translate(Encoding.UTF8.GetBytes(body), Context("gpt-4.1", referenceNotes));
        Assert.Equal(Encoding.UTF8.GetString(reference), Encoding.UTF8.GetString(second));
        Assert.Equal(referenceNotes, secondNotes);
    }

    [Fact]
    public void Translate_NotesBeforeTheToolsDroppedAgainInThem_NotedOnceAsWithoutTheCache()
    {
        // cache_control is dropped in the system prompt, then again on tools: the second drop adds nothing either way.
        var body = $$$"""{"model":"m","max_tokens":10,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"q"}],"tools":{{{Tools}}}}""";
        var cache = new ToolListCache(8);
        Translate(body, cache);

        var (_, notes) = Translate(body, cache);

        Assert.Equal(1, notes.Count(n => n == "dropped: cache_control"));
        Assert.Equal(["dropped: cache_control", "cache_control", "dropped: server tool web_search_20250305", "server tool web_search_20250305", "dropped: tools[].defer_loading", "tools[].defer_loading", "dropped: tools[].input_examples", "tools[].input_examples"], notes);
    }

    [Fact]
    public void Translate_OneByteOfADescriptionChanged_TranslatesTheNewList()
    {
        var cache = new ToolListCache(8);
        var body = Encoding.UTF8.GetString(ClaudeCodeRecordings.Messages);
        Translate(body, cache);
        var changed = body.Replace("\"name\":\"Bash\"", "\"name\":\"Bosh\"", StringComparison.Ordinal);
        Assert.NotEqual(body, changed);

        var (output, _) = Translate(changed, cache);

        Assert.Equal(0, cache.Stats.Hits);
        Assert.Equal(2, cache.Stats.Entries);
        using var translated = JsonDocument.Parse(output);
        var names = translated.RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()).ToList();
        Assert.Contains("Bosh", names);
        Assert.DoesNotContain("Bash", names);
    }

    [Fact]
    public void Translate_RefusedToolList_IsNotKeptAndRefusedAgain()
    {
        var cache = new ToolListCache(8);
        const string body = """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"a"},{"name":"b","input_schema":"not a schema"}]}""";

        var first = Assert.Throws<TranslationException>(() => Translate(body, cache));
        var second = Assert.Throws<TranslationException>(() => Translate(body, cache));

        Assert.Equal(400, second.Status);
        Assert.Equal(first.Message, second.Message);
        Assert.Contains("tools.1.input_schema", second.Message, StringComparison.Ordinal);
        Assert.Equal(0, cache.Stats.Entries);
    }

    [Fact]
    public void Translate_ListOverTheLimit_TranslatedEveryTimeAndNotKept()
    {
        var cache = new ToolListCache(8);
        var description = new string('x', ToolListCache.MaxListBytes);
        var body = $$$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"web_search","type":"web_search_20250305"},{"name":"big","description":"{{{description}}}","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],"tool_choice":{"type":"tool","name":"big"}}""";

        var (first, firstNotes) = Translate(body, cache);
        var (second, secondNotes) = Translate(body, cache);

        Assert.Equal(0, cache.Stats.Entries);
        Assert.Equal(0, cache.Stats.Hits);
        Assert.Equal(first, second);
        Assert.Contains(description, Encoding.UTF8.GetString(second), StringComparison.Ordinal);
        Assert.Equal(["dropped: server tool web_search_20250305", "server tool web_search_20250305", "dropped: cache_control", "cache_control"], secondNotes);
        Assert.Equal(firstNotes, secondNotes);
        var referenceNotes = new List<string>();
        var reference = ReferenceAnthropicToOpenAIRequest.Translate(Encoding.UTF8.GetBytes(body), Context("gpt-4.1", referenceNotes));
        Assert.Equal(Encoding.UTF8.GetString(reference), Encoding.UTF8.GetString(second));
        Assert.Equal(referenceNotes, secondNotes);
    }

    [Fact]
    public void Translate_MoreListsThanCapacity_StaysBounded()
    {
        var cache = new ToolListCache(4);
        for (var i = 0; i < 20; i++)
        {
            Translate($$$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"t{{{i}}}"}]}""", cache);
        }

        Assert.InRange(cache.Stats.Entries, 1, 4);
        Assert.Equal(20, cache.Stats.Misses);
    }

    [Fact]
    public void Translate_AfterTheCountOnTheSameExchange_FindsTheListByTheCountsKey()
    {
        var cache = new ToolListCache(8);
        var body = Encoding.UTF8.GetString(ClaudeCodeRecordings.Messages);
        var (expected, _) = Translate(body, cache);
        using var parsed = RequestInspector.Parse(Encoding.UTF8.GetBytes(body));
        var exchange = Context("gpt-4.1");

        LocalTokenCounter.Create(64).CountAnthropicRequest(parsed.RootElement, exchange);
        using var output = new PooledBufferWriter(1024);
        AnthropicToOpenAIRequest.Translate(parsed.RootElement, exchange, output, cache);

        Assert.Equal(1, cache.Stats.Hits);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Translate_KeptKeyOfAnotherListOfTheSameLength_TranslatesItsOwnList()
    {
        // A key kept for another list (the exchange counted another body) must not bring that list in.
        var cache = new ToolListCache(8);
        const string Kept = """[{"name":"aaaa","input_schema":{"type":"object"}}]""";
        const string Sent = """[{"name":"bbbb","input_schema":{"type":"object"}}]""";
        Translate($$$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":{{{Kept}}}}""", cache);
        var exchange = Context("gpt-4.1");
        exchange.KeepToolListKey(Sent.Length, ToolListCache.Key(Encoding.UTF8.GetBytes(Kept)));
        using var parsed = RequestInspector.Parse(Encoding.UTF8.GetBytes($$$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":{{{Sent}}}}"""));
        using var output = new PooledBufferWriter(1024);

        AnthropicToOpenAIRequest.Translate(parsed.RootElement, exchange, output, cache);

        var translated = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("\"name\":\"bbbb\"", translated, StringComparison.Ordinal);
        Assert.DoesNotContain("aaaa", translated, StringComparison.Ordinal);
        Assert.Equal(0, cache.Stats.Hits);
    }

    private static (byte[] Body, List<string> Notes) Translate(string body, ToolListCache cache)
    {
        var notes = new List<string>();
        using var parsed = RequestInspector.Parse(Encoding.UTF8.GetBytes(body));
        using var output = new PooledBufferWriter(1024);
        AnthropicToOpenAIRequest.Translate(parsed.RootElement, Context("gpt-4.1", notes), output, cache);
        return (output.WrittenSpan.ToArray(), notes);
    }
}
