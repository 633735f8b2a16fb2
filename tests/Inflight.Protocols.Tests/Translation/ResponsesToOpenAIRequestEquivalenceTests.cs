using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.RequestEquivalenceSupport;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The one-pass Responses → Chat Completions request translator gives what the <c>JsonNode</c> translator gave: the same
/// output bytes, the same notes in the same order, the same tool names mapped back for the client, the same stream flag,
/// and the same 400 for what it refuses — on the real Codex requests, on bodies that take every branch, and on every
/// node of an SDK-style body mutated — for a chat model, a reasoning model and a GPT-5 model.
/// </summary>
public sealed class ResponsesToOpenAIRequestEquivalenceTests
{
    private static readonly string[] s_models = ["gpt-4o", "o3", "gpt-5.5"];

    internal const string Fn = """{"type":"function","name":"get_weather","description":"Weather \"now\"\nin a city","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string","description":"café <b>&amp;</b> ☃ 😀 \u2028"}},"required":["city"]}}""";

    public static TheoryData<string> Bodies => new()
    {
        """{"model":"m","input":"hi"}""",
        """{"model":"m","input":"hi\u00e9\ud83d\ude00 \u2028 <tag> & + \/ \t","instructions":"be \"brief\"\n\u00e9"}""",
        """{"model":"m","input":"","instructions":""}""",
        """{"model":"m","input":"hi","instructions":null,"tools":null,"stream":null,"temperature":null,"text":null}""",
        """{"model":"m","input":"hi","instructions":5}""",
        """{"model":"m"}""",
        """{"model":"m","input":5}""",
        """{"model":"m","input":{}}""",
        """{"model":"m","input":[]}""",
        """{"model":"m","input":[1]}""",
        """{"model":"m","input":[null]}""",
        """{"model":"m","input":[{"content":"x"}]}""",
        """{"model":"m","input":[{"type":5,"role":"user","content":"x"}]}""",
        """{"model":"m","input":[{"role":"user","content":"a"},{"type":"bogus"},{"content":"x"}]}""",
        """{"model":"m","input":[{"role":"user","content":"a"},{"type":"bogus"}]}""",
        """{"model":"m","input":[{"type":"item_reference","id":"x"}]}""",
        """{"model":"m","input":[{"type":"compaction"}]}""",
        """{"model":"m","input":[{"role":"tool","content":"x"}]}""",
        """{"model":"m","input":[{"role":"user","content":"x","phase":"final"},{"role":"assistant","content":"y","phase":"commentary"}]}""",
        """{"model":"m","input":[{"role":"developer","content":"d"},{"role":"system","content":[{"type":"input_text","text":"s1"},{"type":"text","text":"s2"},{"type":"refusal","refusal":"r"}]},{"role":"system","content":[{"type":"input_text","text":"one"}]},{"role":"system","content":[]}]}""",
        """{"model":"m","input":[{"role":"system","content":[{"type":"input_image","image_url":"x"}]}]}""",
        """{"model":"m","input":[{"role":"system","content":[{"type":"input_text","text":5}]}]}""",
        """{"model":"m","input":[{"role":"system","content":[{"type":"refusal"}]}]}""",
        """{"model":"m","input":[{"role":"system","content":[null]}]}""",
        """{"model":"m","input":[{"role":"system","content":5}]}""",
        """{"model":"m","input":[{"role":"system"}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"only"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"output_text","text":"a"},{"type":"text","text":"b\u00e9"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"original"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"see"},{"type":"input_image","image_url":"https://e.com/a.png","detail":"low"},{"type":"input_image","image_url":"https://e.com/b.png"},{"type":"input_image","image_url":"https://e.com/c.png","detail":"original"},{"type":"input_file","file_data":"data:application/pdf;base64,JVBERi0=","filename":"a.pdf"},{"type":"input_file","file_data":"data:x"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_image","file_id":"f","detail":"original"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"text":"no type"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_text"}]}]}""",
        """{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"a"},7]}]}""",
        """{"model":"m","input":[{"role":"user","content":[]}]}""",
        """{"model":"m","input":[{"role":"user","content":null}]}""",
        """{"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":"a"},{"type":"refusal","refusal":"b"}]},{"role":"assistant","content":[]},{"role":"assistant","content":""}]}""",
        """{"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":"a"}]},{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"a\":\"\u00e9\"}"},{"type":"function_call","call_id":"c2","name":"g","namespace":"crm","arguments":""},{"type":"function_call_output","call_id":"c1","output":"r1"},{"type":"function_call_output","call_id":"c2","output":"r2"},{"role":"user","content":"next"}]}""",
        """{"model":"m","input":[{"role":"assistant","content":""},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}]}""",
        """{"model":"m","input":[{"role":"assistant","content":[]},{"type":"reasoning","summary":[]},{"type":"web_search_call"},{"type":"custom_tool_call","call_id":"c1","name":"apply_patch","input":"*** Begin Patch\n\"x\" é\n"}]}""",
        """{"model":"m","input":[{"role":"assistant","content":""},{"type":"reasoning"},{"role":"user","content":"x"},{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"}]}""",
        """{"model":"m","input":[{"role":"assistant","content":[{"type":"output_text","text":""}]},{"type":"tool_search_call"},{"type":"bogus"}]}""",
        """{"model":"m","input":[{"role":"assistant","content":""},{"type":"tool_search_output"},{"type":"function_call_output","call_id":"c","output":"x"}]}""",
        """{"model":"m","input":[{"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},{"type":"reasoning"},{"type":"function_call","call_id":"c2","name":"f","arguments":"{}"},{"role":"assistant","content":"after"}]}""",
        """{"model":"m","input":[{"type":"function_call","call_id":"c1","arguments":"{}"}]}""",
        """{"model":"m","input":[{"type":"function_call","call_id":"c1","name":"f"}]}""",
        """{"model":"m","input":[{"type":"function_call","call_id":"c1","name":"f","arguments":{}}]}""",
        """{"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}""",
        """{"model":"m","input":[{"type":"custom_tool_call","call_id":"c1","name":"f"}]}""",
        """{"model":"m","input":[{"type":"custom_tool_call","name":"f","input":"x"}]}""",
        """{"model":"m","input":[{"type":"custom_tool_call","call_id":"c1","input":"x"}]}""",
        """{"model":"m","input":[{"type":"function_call_output","output":"x"}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c"}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":5}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"one"}]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"https://e.com/a.png","detail":"original"},{"type":"output_text","text":"b"},{"type":"text","text":"c"}]},{"type":"custom_tool_call_output","call_id":"c2","output":[{"type":"input_file","file_data":"d","filename":"f.txt"}]},{"type":"function_call_output","call_id":"c3","output":"plain"},{"type":"reasoning"},{"role":"user","content":"go"}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_image","image_url":"https://e.com/a.png"}]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_text"}]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_image"}]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"a"},null]}]}""",
        """{"model":"m","input":[{"type":"function_call_output","call_id":"c1","output":[{"type":"input_audio"}]}]}""",
        """{"model":"m","input":"q","tools":[FN,{"type":"function","name":"noschema","description":5,"strict":"yes"},{"type":"function","name":"nullschema","parameters":null,"defer_loading":true},{"type":"web_search"},{"type":"web_search_preview"},{"type":"tool_search"}],"tool_choice":"required","parallel_tool_calls":false}""",
        """{"model":"m","input":"q","tools":[{"type":"custom","name":"apply_patch","description":"Patch \"files\"","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/\n\u00e9"}},{"type":"custom","name":"free"},{"type":"custom","name":"nosyntax","format":{"type":"grammar"}},{"type":"custom","name":"text","format":{"type":"text"}}]}""",
        """{"model":"m","input":"q","tools":[{"type":"namespace","name":"crm","description":"CRM","tools":[FN,{"type":"custom","name":"sql"}]},{"type":"namespace","name":"my.server","tools":[{"type":"function","name":"get item"}]},{"type":"function","name":"crm__get_weather"}],"tool_choice":{"type":"function","name":"get_weather","namespace":"crm"}}""",
        """{"model":"m","input":[{"type":"function_call","call_id":"c1","name":"get_weather","namespace":"crm","arguments":"{}"},{"type":"custom_tool_call","call_id":"c2","name":"sql","namespace":"crm","input":"x"},{"type":"function_call","call_id":"c3","name":"undeclared","namespace":"other ns","arguments":"{}"}],"tools":[{"type":"namespace","name":"crm","tools":[FN,{"type":"custom","name":"sql"}]}]}""",
        """{"model":"m","input":"q","tools":[{"type":"namespace","name":"n","tools":[{"type":"namespace","name":"inner","tools":[]}]}]}""",
        """{"model":"m","input":"q","tools":[{"type":"namespace","name":"n"}]}""",
        """{"model":"m","input":"q","tools":[{"type":"namespace","name":"n","tools":[5]}]}""",
        """{"model":"m","input":"q","tools":[{"type":"namespace","tools":[]}]}""",
        """{"model":"m","input":"q","tools":[FN,FN]}""",
        """{"model":"m","input":"q","tools":[{"type":"function","name":""}]}""",
        """{"model":"m","input":"q","tools":[{"type":"function","name":"f","parameters":[]}]}""",
        """{"model":"m","input":"q","tools":[{"type":"file_search"}]}""",
        """{"model":"m","input":"q","tools":[{"type":"local_shell"}]}""",
        """{"model":"m","input":"q","tools":[{"name":"untyped"}]}""",
        """{"model":"m","input":"q","tools":[5]}""",
        """{"model":"m","input":"q","tools":{}}""",
        """{"model":"m","input":"q","tools":[{"type":"web_search"}],"tool_choice":"required"}""",
        """{"model":"m","input":"q","tools":[{"type":"web_search"}],"tool_choice":"auto","parallel_tool_calls":true}""",
        """{"model":"m","input":"q","tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":"none"}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":"sometimes"}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":5}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"function"}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"function","name":"missing"}}""",
        """{"model":"m","input":"q","tools":[FN,{"type":"custom","name":"c"}],"tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"get_weather"},{"type":"custom","name":"c"}]}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"allowed_tools","tools":[{"type":"function","name":"get_weather"}]}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"allowed_tools","mode":"none","tools":[]}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"allowed_tools","mode":"auto"}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"web_search"}]}}""",
        """{"model":"m","input":"q","tools":[FN],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[3]}}""",
        """{"model":"m","input":"q","tool_choice":{"type":"mcp"}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"json_schema","name":"answer","description":"The \"answer\"","strict":false,"schema":{"type":"object","properties":{"a":{"type":"number","minimum":1.50}}}},"verbosity":"high","extra":null,"other":1}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"json_schema","schema":{"type":"object"}}}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"json_schema"}}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"json_object"}}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"text"},"verbosity":"low"}}""",
        """{"model":"m","input":"q","text":{"format":{"type":"xml"}}}""",
        """{"model":"m","input":"q","text":{"format":"json"}}""",
        """{"model":"m","input":"q","text":{"format":null,"verbosity":5}}""",
        """{"model":"m","input":"q","text":"plain"}""",
        """{"model":"m","input":"q","reasoning":{"effort":"high","summary":"auto","generate_summary":"concise","context":"x","nothing":null}}""",
        """{"model":"m","input":"q","reasoning":{"effort":null,"summary":null}}""",
        """{"model":"m","input":"q","reasoning":{"effort":5}}""",
        """{"model":"m","input":"q","reasoning":"high"}""",
        """{"model":"m","input":"q","include":["reasoning.encrypted_content","message.output_text.logprobs"]}""",
        """{"model":"m","input":"q","include":"all"}""",
        """{"model":"m","input":"q","include":[5]}""",
        """{"model":"m","input":"q","store":true,"background":false,"truncation":"auto","stream":true,"max_output_tokens":1000000000,"temperature":1.25,"top_p":0.5,"user":"u","safety_identifier":"s\u00e9","prompt_cache_key":"k","prompt_cache_retention":"24h","service_tier":"flex","metadata":{"k":"v","n":[1,2.50,null]},"top_logprobs":3,"max_tool_calls":2,"stream_options":{},"context_management":[],"client_metadata":{},"unknown_x":1}""",
        """{"model":"m","input":"q","store":false,"truncation":"disabled","stream":false,"max_output_tokens":10}""",
        """{"model":"m","input":"q","user":"user_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef_account"}""",
        """{"model":"m","input":"q","background":true}""",
        """{"model":"m","input":"q","previous_response_id":"resp_1"}""",
        """{"model":"m","input":"q","conversation":"conv_1"}""",
        """{"model":"m","input":"q","prompt":{"id":"p"}}""",
        """{"model":"m","input":"q","stream":"yes"}""",
        """{"model":"m","input":"q","max_output_tokens":0}""",
        """{"model":"m","input":"q","max_output_tokens":1e3}""",
        """{"model":"m","input":"q","max_output_tokens":"10"}""",
        """{"model":"m","input":"q","temperature":"hot"}""",
        """{"model":"m","input":"q","parallel_tool_calls":"no","tools":[FN]}""",
        """{"model":"m","input":"q","user":5}""",
        """{"model":"m","input":"q","service_tier":5}""",
        """{"model":"m","input":"q","metadata":[]}""",
        """{ "model" : "m" , "input" : [ { "role" : "user" , "content" : [ { "type" : "input_text" , "text" : "spaced\/out" } ] } ] , "tools" : [ { "type" : "function" , "name" : "f" , "parameters" : { "type" : "object" , "properties" : { } } } ] }""",
        """{"model":"m","input":"q","client_metadata":{"x":"\ud800"},"instructions":"not an escape: \\ud800 \\\ud83d\ude00"}""",
        """{"model":"m","input":"q","model":"n"}""",
        """{"model":"m","input":[{"role":"user","role":"assistant","content":"q"}]}""",
        """[]""",
        """null""",
        "\"body\"",
        """{"model":""",
        "",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Translate_EdgeCaseBody_MatchesTheJsonNodeTranslator(string body)
    {
        var bytes = Utf8(body.Replace("FN", Fn, StringComparison.Ordinal));
        foreach (var model in s_models)
        {
            AssertSame(bytes, model, body);
        }
    }

    [Theory]
    [InlineData(CodexRecording)]
    [InlineData(CodexCustomToolRecording)]
    [InlineData(CodexFallbackRecording)]
    public void Translate_CodexRecording_MatchesTheJsonNodeTranslator(string recording)
    {
        foreach (var model in s_models)
        {
            AssertSame(Recording(recording), model, recording);
        }
    }

    [Fact]
    public void Translate_CodexRecording_SentUpstreamUnchangedInMeaning()
    {
        // The real Codex turn on the gateway's path: on the inspector's parse, tools and conversation all there.
        using var parsed = Inflight.Protocols.Requests.RequestInspector.Parse(Recording(CodexRecording));
        var notes = new List<string>();
        var fromParsed = ResponsesToOpenAIRequest.Translate(parsed.RootElement, Context("gpt-5.5", notes));
        Assert.Equal(ReferenceResponsesToOpenAIRequest.Translate(Recording(CodexRecording), Context("gpt-5.5")), fromParsed);
        var result = JsonNode.Parse(fromParsed)!;
        Assert.Equal(8, result["tools"]!.AsArray().Count);
        Assert.Equal(6, result["messages"]!.AsArray().Count);
        Assert.Contains("dropped: hosted tool web_search", notes);
    }

    [Fact]
    public void Translate_EveryNodeOfAnSdkBodyMutated_MatchesTheJsonNodeTranslator()
    {
        foreach (var (body, what) in ResponsesRequestMalformedInputTests.SdkBodyMutations())
        {
            AssertSame(body, "gpt-5.5", what);
            AssertSame(body, "gpt-4o", what);
        }
    }

    [Theory]
    [InlineData("temperature")]
    [InlineData("top_p")]
    public void Translate_NumberBeyondDouble_400WhereTheJsonNodeTranslatorFailed(string field)
    {
        // 1e400 reads as infinity, which the writer cannot put in JSON: the JsonNode translator let that ArgumentException escape (a 500).
        var body = Utf8($$"""{"model":"m","input":"q","{{field}}":1e400}""");
        Assert.Throws<ArgumentException>(() => ReferenceResponsesToOpenAIRequest.Translate(body, Context("gpt-4o")));

        var ex = Assert.Throws<TranslationException>(() => ResponsesToOpenAIRequest.Translate(body, Context("gpt-4o")));
        Assert.Equal(400, ex.Status);
        Assert.Equal($"{field}: must be a number.", ex.Message);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"a\ud800b"}""")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":"x\udc00"}]}""")]
    [InlineData("""{"model":"m","input":"q","tools":[{"type":"function","name":"f","parameters":{"description":"\\\ud800"}}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","call_id":"c\ud83d\ud83d","name":"f","arguments":"{}"}]}""")]
    public void Translate_UnpairedSurrogateEscape_400WhereTheJsonNodeTranslatorFailed(string body)
    {
        // Valid JSON whose string cannot be unescaped: the JsonNode translator let System.Text.Json's InvalidOperationException escape (a 500).
        Assert.Throws<InvalidOperationException>(() => ReferenceResponsesToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")));

        var ex = Assert.Throws<TranslationException>(() => ResponsesToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")));
        Assert.Equal(400, ex.Status);
        Assert.Contains("surrogate pair", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_InvalidUtf8_RefusedLikeTheJsonNodeTranslator()
        => AssertSame([.. Encoding.UTF8.GetBytes("""{"model":"m","input":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")], "gpt-4o", "invalid UTF-8");

    private static void AssertSame(byte[] body, string model, string what)
        => AssertSameAsReference(body, model, what, (b, c) => ReferenceResponsesToOpenAIRequest.Translate(b, c), (b, c) => ResponsesToOpenAIRequest.Translate(b, c));
}
