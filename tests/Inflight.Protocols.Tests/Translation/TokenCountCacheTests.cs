using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The token-count cache: counts stay exactly what an uncached count gives (on real Claude Code bodies and
/// on edge cases), a repeated or one-turn-longer request tokenizes only what is new, and memory stays bounded.
/// </summary>
public sealed class TokenCountCacheTests
{
    private const string FirstTurn = "claude-code-2.1.332-messages.json";
    private const string NextTurn = "claude-code-2.1.332-messages-next-turn.json";

    public static TheoryData<string> EdgeCases() =>
    [
        """{"messages":[{"role":"user","content":"Hello, world!"}]}""",
        """{"system":"You are terse.","messages":[{"role":"user","content":"hi"}]}""",
        """{"system":[{"type":"text","text":"A"},null,{"type":"text"},{"type":"text","text":42},{"type":"text","text":"B","cache_control":{"type":"ephemeral"}}],"messages":[]}""",
        """{"system":null,"messages":[{"role":"user","content":null},{"role":"user"},{"role":"user","content":[]},{"role":"user","content":[null]}]}""",
        """{"messages":[{"role":"user","content":[{"type":"text","text":"caf\u00e9 \u2014 \ud83d\ude00 \"quoted\"\n\ttab"},{"type":"text","text":"日本語のテキスト"}]}]}""",
        """{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"Read","input":{"path":"/x","n":1.0e5,"deep":{"k":[1,2,{"z":null}]},"s":"é\u00e9<>&"}},{"type":"tool_use","id":"b","name":"Ls"},{"type":"tool_use","id":"c","name":"Ls","input":null},{"type":"tool_use","id":"d","name":"Ls","input":"raw"}]}]}""",
        """{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"file text"},{"type":"tool_result","tool_use_id":"b","content":[{"type":"text","text":"nested"},null,{"type":"image","source":{"type":"url","url":"u"}}]},{"type":"tool_result","tool_use_id":"c"}]}]}""",
        """{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgoAAAANSUhEUgAAAMgAAACWCAYAAAA="}},{"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}},{"type":"image"}]}]}""",
        """{"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"A plain text document."}},{"type":"document","source":{"type":"base64","data":"JVBERi0="}},{"type":"thinking","thinking":"hidden","signature":"s"},{"type":"redacted_thinking","data":"x"},{"type":"unknown_kind","text":"ignored"}]}]}""",
        """{"messages":[{"role":"user","content":"hi"}],"tools":[]}""",
        """{"messages":[{"role":"user","content":"hi"}],"tools":[null,{"name":"a"},{"name":"b","description":"d","input_schema":null},{"name":"c","input_schema":{"type":"object","properties":{"q":{"type":"string","description":"ünïcödé \u2028"}}},"cache_control":{"type":"ephemeral"}}]}""",
        """{"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"any"},"tools":[{"name":"a","input_schema":{"type":"object"}}]}""",
        """{"tool_choice":{"type":"tool","name":"a"},"tools":[{"name":"a","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}""",
        """{"tool_choice":{"type":"auto"},"tools":[{"name":"a","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}""",
        // The same bytes as a content block and as a tool definition count differently and must not share an entry.
        """{"messages":[{"role":"user","content":[{"name":"hello world","description":"a b c"}]}],"tools":[{"name":"hello world","description":"a b c"}]}""",
        // The same text as a plain string and in a block.
        """{"system":"same words","messages":[{"role":"user","content":"same words"},{"role":"user","content":[{"type":"text","text":"same words"}]}]}""",
        // Wrong kinds count nothing rather than fail (as the JsonNode counter on main does).
        """{"system":[1,"text",[]],"tool_choice":"any","tools":[1,{"name":"a"}],"messages":[1,{"role":"user","content":[1,"x",{"type":"image","source":"s"},{"type":"tool_result","content":[2,{"type":"text","text":"y"}]}]}]}""",
        // Escaped member names read as their text; a text block with a third member is no plain text.
        """{"messages":[{"role":"user","content":[{"t\u0079pe":"text","t\u0065xt":"esc\u0061ped"},{"type":"text","text":"esc\u0061ped","citations":null}]}],"tools":[{"n\u0061me":"a","c\u0061che_control":{"type":"ephemeral"}}]}""",
        // Whitespace between and inside members.
        """{ "system" : [ { "type" : "text" , "text" : "spaced" } ] , "messages" : [ { "role" : "user" , "content" : [ { "type" : "tool_use" , "id" : "a" , "name" : "f" , "input" : { "k" : [ 1 , 2 ] } } ] } ] }""",
        """{"messages":[]}""",
        """{}""",
    ];

    public static TheoryData<string> RealBodiesAndEdgeCases()
    {
        var data = new TheoryData<string>(FirstTurn, NextTurn);
        foreach (var json in EdgeCases())
        {
            data.Add(json.Data);
        }

        return data;
    }

    [Theory]
    [InlineData(FirstTurn)]
    [InlineData(NextTurn)]
    public void CountAnthropicRequest_RealClaudeCodeBody_EqualsUncachedCount(string file)
    {
        var body = Body(file);
        var expected = ReferenceTokenCounter.Count(body);
        var cached = LocalTokenCounter.Create(1024);

        Assert.Equal(expected, LocalTokenCounter.Create(0).CountAnthropicRequest(body));
        Assert.Equal(expected, cached.CountAnthropicRequest(body));
        Assert.Equal(expected, cached.CountAnthropicRequest(body));
        Assert.True(expected > 10_000, $"a 77 KB Claude Code body is well over 10,000 tokens (got {expected})");
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void CountAnthropicRequest_EdgeCase_EqualsUncachedCountColdAndWarm(string json)
    {
        var body = Utf8(json);
        var expected = ReferenceTokenCounter.Count(body);
        var cached = LocalTokenCounter.Create(1024);

        Assert.Equal(expected, LocalTokenCounter.Create(0).CountAnthropicRequest(body));
        Assert.Equal(expected, cached.CountAnthropicRequest(body));
        Assert.Equal(expected, cached.CountAnthropicRequest(body));
    }

    [Theory]
    [MemberData(nameof(RealBodiesAndEdgeCases))]
    public void CountAnthropicRequest_OnTheInspectorsParse_EqualsUncachedCountColdAndWarm(string bodyOrFile)
    {
        // The gateway counts on the document it parsed for the inspector and the translator.
        var body = bodyOrFile.EndsWith(".json", StringComparison.Ordinal) ? Body(bodyOrFile) : Utf8(bodyOrFile);
        var expected = ReferenceTokenCounter.Count(body);
        var cached = LocalTokenCounter.Create(1024);
        using var parsed = RequestInspector.Parse(body);

        Assert.Equal(expected, LocalTokenCounter.Create(0).CountAnthropicRequest(parsed.RootElement));
        Assert.Equal(expected, cached.CountAnthropicRequest(parsed.RootElement));
        Assert.Equal(expected, cached.CountAnthropicRequest(parsed.RootElement));
    }

    [Fact]
    public void CountAnthropicRequest_BytesThenParsed_ShareTheCache()
    {
        // count_tokens and /v1/messages count the same conversation: what one counted, the other finds.
        var counter = LocalTokenCounter.Create(1024);
        var body = Body(NextTurn);
        var fromBytes = counter.CountAnthropicRequest(body);
        var afterBytes = counter.CacheStats;
        using var parsed = RequestInspector.Parse(body);

        var fromParse = counter.CountAnthropicRequest(parsed.RootElement);

        Assert.Equal(fromBytes, fromParse);
        Assert.Equal(afterBytes.Misses, counter.CacheStats.Misses);
        Assert.Equal(LookupsOfARepeat(afterBytes.Misses, body), counter.CacheStats.Hits);
    }

    [Fact]
    public void CountAnthropicRequest_SameBlockSpacedDifferently_StillAHit()
    {
        var counter = LocalTokenCounter.Create(64);
        var compact = Utf8("""{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"result text"}]}]}""");
        var spaced = Utf8("""{"messages":[{"role":"user","content":[ { "type" : "tool_result", "tool_use_id" :"a",  "content":"result text" } ]}]}""");

        var first = counter.CountAnthropicRequest(compact);
        var second = counter.CountAnthropicRequest(spaced);

        Assert.Equal(first, second);
        Assert.Equal(new CacheStats(1, 1, 1, 64), counter.CacheStats);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void CountAnthropicRequest_ParsedNotAnObject_Throws400(string json)
    {
        using var parsed = JsonDocument.Parse(json);

        var ex = Assert.Throws<TranslationException>(() => LocalTokenCounter.Create(16).CountAnthropicRequest(parsed.RootElement));

        Assert.Equal(400, ex.Status);
        Assert.Contains("JSON object", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountAnthropicRequest_RepeatedTurn_TokenizesNothing()
    {
        var body = Body(FirstTurn);
        var counter = LocalTokenCounter.Create(1024);
        counter.CountAnthropicRequest(body);
        var first = counter.CacheStats;

        counter.CountAnthropicRequest(body);
        var second = counter.CacheStats;

        Assert.Equal(0, first.Hits);
        Assert.Equal(first.Misses, second.Misses);
        Assert.Equal(LookupsOfARepeat(first.Misses, body), second.Hits);
    }

    [Fact]
    public void CountAnthropicRequest_OneToolChanged_CountsOnlyThatTool()
    {
        var counter = LocalTokenCounter.Create(1024);
        var body = Body(FirstTurn);
        counter.CountAnthropicRequest(body);
        var before = counter.CacheStats;
        var changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"name\":\"Bash\"", "\"name\":\"Shell\"", StringComparison.Ordinal));
        Assert.Equal(body.Length + 1, changed.Length); // the rename took

        var count = counter.CountAnthropicRequest(changed);
        var after = counter.CacheStats;

        Assert.Equal(ReferenceTokenCounter.Count(changed), count);

        // The list as a whole is new, and so is the renamed tool; every other tool is found by its own count.
        Assert.Equal(2, after.Misses - before.Misses);
    }

    /// <summary>
    /// Hits when a counted body comes again: every block it missed, except the tools, which the whole list's entry
    /// answers without looking each one up.
    /// </summary>
    private static long LookupsOfARepeat(long misses, byte[] body)
    {
        using var parsed = JsonDocument.Parse(body);
        return misses - (parsed.RootElement.TryGetProperty("tools", out var tools) ? tools.GetArrayLength() : 0);
    }

    [Fact]
    public void CountAnthropicRequest_NextTurn_TokenizesOnlyTheNewBlocks()
    {
        var counter = LocalTokenCounter.Create(1024);
        counter.CountAnthropicRequest(Body(FirstTurn));
        var before = counter.CacheStats;

        var count = counter.CountAnthropicRequest(Body(NextTurn));
        var after = counter.CacheStats;

        Assert.Equal(ReferenceTokenCounter.Count(Body(NextTurn)), count);

        // The next turn adds the assistant's answer and the user's new prompt. The cache_control marker that
        // moved to the new prompt, and an earlier message the CLI now sends as a plain string instead of a text
        // block, do not make the older blocks look new.
        Assert.Equal(2, after.Misses - before.Misses);
        Assert.Equal(LookupsOfARepeat(before.Misses, Body(FirstTurn)), after.Hits - before.Hits);
    }

    [Fact]
    public void CountAnthropicRequest_CacheControlMoved_StillAHit()
    {
        var counter = LocalTokenCounter.Create(64);
        var marked = Utf8("""{"messages":[{"role":"user","content":[{"type":"text","text":"a long prompt","cache_control":{"type":"ephemeral"}}]}]}""");
        var unmarked = Utf8("""{"messages":[{"role":"user","content":[{"type":"text","text":"a long prompt"}]}]}""");

        var first = counter.CountAnthropicRequest(marked);
        var second = counter.CountAnthropicRequest(unmarked);

        Assert.Equal(first, second);
        Assert.Equal(new CacheStats(1, 1, 1, 64), counter.CacheStats);
    }

    [Fact]
    public void CountAnthropicRequest_ChangedText_IsAMissWithItsOwnCount()
    {
        var counter = LocalTokenCounter.Create(64);
        var a = counter.CountAnthropicRequest(Utf8("""{"messages":[{"role":"user","content":[{"type":"text","text":"one two"}]}]}"""));
        var b = counter.CountAnthropicRequest(Utf8("""{"messages":[{"role":"user","content":[{"type":"text","text":"one two three four"}]}]}"""));

        Assert.Equal(a + 2, b);
        Assert.Equal(2, counter.CacheStats.Misses);
    }

    [Fact]
    public void CountAnthropicRequest_MoreBlocksThanCapacity_StaysBoundedAndExact()
    {
        var counter = LocalTokenCounter.Create(32);
        var body = Body(NextTurn);
        var expected = ReferenceTokenCounter.Count(body);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected, counter.CountAnthropicRequest(body));
        }

        for (var i = 0; i < 200; i++)
        {
            counter.CountAnthropicRequest(Utf8($$"""{"messages":[{"role":"user","content":[{"type":"text","text":"message number {{i}}"}]}]}"""));
        }

        Assert.InRange(counter.CacheStats.Entries, 1, 32);
        Assert.Equal(expected, counter.CountAnthropicRequest(body));
    }

    [Fact]
    public async Task CountAnthropicRequest_ManyThreadsOnASmallCache_AlwaysExact()
    {
        var counter = LocalTokenCounter.Create(16);
        var bodies = new List<byte[]> { Body(FirstTurn), Body(NextTurn) };
        for (var i = 0; i < 6; i++)
        {
            bodies.Add(Utf8($$$"""{"system":"prompt {{{i}}}","messages":[{"role":"user","content":[{"type":"text","text":"question {{{i}}}"},{"type":"tool_result","tool_use_id":"t","content":"result {{{i % 3}}}"}]}],"tools":[{"name":"tool{{{i % 2}}}","input_schema":{"type":"object"}}]}"""));
        }

        var expected = bodies.Select(ReferenceTokenCounter.Count).ToArray();
        var ct = TestContext.Current.CancellationToken;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 40; i++)
            {
                var index = (i + w) % bodies.Count;
                Assert.Equal(expected[index], counter.CountAnthropicRequest(bodies[index]));
            }
        }, ct));

        await Task.WhenAll(workers);
        Assert.InRange(counter.CacheStats.Entries, 1, 16);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}x")]
    [InlineData("{\"messages\":[1,]}")]
    public void CountAnthropicRequest_InvalidJson_Throws400(string json)
    {
        var ex = Assert.Throws<TranslationException>(() => LocalTokenCounter.Create(16).CountAnthropicRequest(Utf8(json)));

        Assert.Equal(400, ex.Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    public void CountAnthropicRequest_InvalidUtf8InAText_Throws400(int capacity)
    {
        var body = Utf8("""{"system":"ok","messages":[{"role":"user","content":"bad X"},{"role":"user","content":[{"type":"text","text":"bad X"}]}]}""");
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = body[i] == (byte)'X' ? (byte)0xFF : body[i];
        }

        var ex = Assert.Throws<TranslationException>(() => LocalTokenCounter.Create(capacity).CountAnthropicRequest(body));

        Assert.Equal(400, ex.Status);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void CountAnthropicRequest_NotAnObject_Throws400(string json)
    {
        var ex = Assert.Throws<TranslationException>(() => LocalTokenCounter.Create(16).CountAnthropicRequest(Utf8(json)));

        Assert.Equal(400, ex.Status);
        Assert.Contains("JSON object", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceTokenCounter_RealBody_CountsEveryPart()
    {
        // Guards the reference itself: dropping the tools or the system prompt changes the count.
        var body = JsonNode.Parse(Body(FirstTurn))!.AsObject();
        var full = ReferenceTokenCounter.Count(Body(FirstTurn));
        body.Remove("tools");
        var withoutTools = ReferenceTokenCounter.Count(Encoding.UTF8.GetBytes(body.ToJsonString()));
        body.Remove("system");
        var withoutSystem = ReferenceTokenCounter.Count(Encoding.UTF8.GetBytes(body.ToJsonString()));

        Assert.True(full > withoutTools + 1_000);
        Assert.True(withoutTools > withoutSystem + 1_000);
    }

    private static byte[] Body(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "bodies", file));
}
