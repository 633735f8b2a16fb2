using System.Text;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.RequestEquivalenceSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The one-pass Anthropic → OpenAI request translator gives what the <c>JsonNode</c> translator gave: the same output
/// bytes, the same notes in the same order, and the same 400 for what it refuses, on real Claude Code bodies and on
/// bodies that take every branch of the field policy (for a chat model and a reasoning model).
/// </summary>
public sealed class AnthropicToOpenAIRequestEquivalenceTests
{
    private const string Tool = """{"name":"get_weather","description":"Weather \"now\"\nin a city","input_schema":{"type":"object","properties":{"city":{"type":"string","description":"café <b>&amp;</b> ☃ 😀"}},"required":["city"]}}""";

    public static TheoryData<string> Bodies => new()
    {
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"m","max_tokens":10,"system":"be brief","messages":[{"role":"user","content":"hi\u00e9\ud83d\ude00 \u2028 <tag> & +"}]}""",
        """{"model":"m","max_tokens":10,"system":"","messages":[{"role":"user","content":""}]}""",
        """{"model":"m","max_tokens":10,"system":null,"messages":[{"role":"user","content":"hi"}],"stream":null,"temperature":null}""",
        """{"model":"m","max_tokens":10,"system":[{"type":"text","text":"one","cache_control":{"type":"ephemeral"}},{"type":"text","text":""},{"type":"text","text":"two\tthree"}],"messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"m","max_tokens":10,"system":[],"messages":[{"role":"system"},{"role":"system","content":[{"type":"text","text":"mid"}]},{"role":"user","content":"hi"}]}""",
        """{"model":"m","max_tokens":10,"system":[{"type":"image"}],"messages":[]}""",
        """{"model":"m","max_tokens":10,"system":[null],"messages":[]}""",
        """{"model":"m","max_tokens":10,"system":5,"messages":[]}""",
        """{"model":"m","max_tokens":10}""",
        """{"model":"m","max_tokens":10,"messages":{}}""",
        """{"model":"m","max_tokens":10,"messages":[3]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"tool","content":"x"}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"content":"x"}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":5}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"b"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":7}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"video"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":["text"]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"see"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","title":"T","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain\ndoc"}},{"type":"text","text":"summarize"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris \"FR\"","n":[1,2.50,{"é":null}]}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"},{"type":"text","text":"thanks"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,"content":[{"type":"text","text":"a"},{"type":"tool_reference","tool_name":"Read"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}]}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/"}},{"type":"document","source":{"type":"text","data":"d"}}]},{"type":"text","text":"next"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"document","source":{"type":"text","data":"d"}}]}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1"},{"type":"tool_result","tool_use_id":"t2","content":null}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":1}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":5}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"audio"}]}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[1]}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":"plain"},{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":"a"},{"type":"redacted_thinking","data":"x"},{"type":"text","text":"b"},{"type":"server_tool_use","id":"s","name":"web_search","input":{}},{"type":"tool_use","id":"t1","name":"f"},{"type":"tool_use","id":"t2","name":"g","input":null},{"type":"tool_use","id":"t3","name":"h","input":"raw"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"hm"}]},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]},{"role":"assistant","content":[]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":1,"name":"f"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"image"}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[null]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL,{"name":"web_search","type":"web_search_20250305"},{"name":"plain","type":"custom","strict":true,"cache_control":{"type":"ephemeral"},"defer_loading":true,"input_examples":[{}]},{"name":"noschema","description":5}],"tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"tool","name":"missing"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"any"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"none","disable_parallel_tool_use":true}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"s","type":"bash_20250124"}],"tool_choice":{"type":"tool","name":"s"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"sometimes"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":"auto"}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"tool"}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":{}}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[1]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"description":"x"}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"x","input_schema":[]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"tools":[{"name":"x","input_schema":null}]}""",
        """{"model":"m","max_tokens":1e3,"temperature":0.7,"top_p":1,"top_k":5,"stop_sequences":["a","b","c","d","e",5],"stream":true,"metadata":{"user_id":"user_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef_account_x"},"messages":[{"role":"user","content":"q"}],"context_management":{"edits":[]},"service_tier":"auto","unknown_field":1,"container":null}""",
        """{"model":"m","max_tokens":100000000,"stop_sequences":[],"stream":false,"metadata":{"user_id":"short"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"stop_sequences":"x","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"stop_sequences":[1],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":"10","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"temperature":"hot","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"mcp_servers":[],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"enabled","budget_tokens":20000},"output_config":{"effort":"low"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"enabled","budget_tokens":3000},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"enabled"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":{"type":"sometimes"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"thinking":"on","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"output_config":{"effort":"extreme"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"output_config":[],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"output_config":{"effort":"max","format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string"}}}}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"output_format":{"type":"json_schema","schema":{"type":"object"}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"output_format":{"type":"json_schema"},"messages":[{"role":"user","content":"q"}]}""",
        """{ "model" : "m", "max_tokens" : 10, "messages" : [ { "role" : "user", "content" : [ { "type" : "text", "text" : "spaced\/out" } ] } ], "tools" : [ { "name" : "f", "input_schema" : { "type" : "object", "properties" : { } } } ] }""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"}],"model":"n"}""",
        // Copied as raw JSON only where the bytes are what the writer writes: each escape and character on either side of that line,
        // in every place a value is copied (system string and blocks, user string and text blocks, assistant text, tool result,
        // tool description, schema, tool_use input, ids, stop sequences, image URL, document title).
        """{"model":"m","max_tokens":10,"system":"ESC","messages":[{"role":"user","content":"ESC"},{"role":"assistant","content":"ESC"},{"role":"user","content":[{"type":"text","text":"ESC"},{"type":"text","text":"plain"}]}]}""",
        """{"model":"m","max_tokens":10,"system":[{"type":"text","text":"ESC"},{"type":"text","text":"plain"}],"stop_sequences":["ESC","plain"],"messages":[{"role":"assistant","content":[{"type":"text","text":"ESC"},{"type":"tool_use","id":"ESC","name":"ESC","input":{"ESC":"ESC","n":[1.0e5,-0,2E-3,true,null,{}],"plain":"a b"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"ESC","content":"ESC"},{"type":"tool_result","tool_use_id":"t","is_error":true,"content":[{"type":"text","text":"ESC"},{"type":"text","text":"plain"}]}]}]}""",
        """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"ESC"}},{"type":"document","title":"ESC","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},{"type":"image","source":{"type":"base64","media_type":"ESC","data":"iVBORw0KGgo="}}]}],"tools":[{"name":"f","description":"ESC","input_schema":{"type":"object","properties":{"ESC":{"type":"string","description":"ESC","enum":["ESC","plain"]}}}}],"output_config":{"format":{"type":"json_schema","schema":{"type":"object","description":"ESC"}}}}""",
        // Whitespace outside strings (in a schema, in a tool input) is not what the writer writes; inside strings it is.
        """{"model":"m","max_tokens":10,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a": 1}},{"type":"tool_use","id":"u","name":"f","input":{"a":[1,  2]}}]}],"tools":[{"name":"f","input_schema":{"type":"object","properties":{"a":{"type":"string","description":"with spaces and\ttabs"}}}},{"name":"g","input_schema":{"type":"object", "properties":{}}}]}""",
        """[]""",
        """null""",
        """{"model":""",
        "",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Translate_EdgeCaseBody_MatchesTheJsonNodeTranslator(string body)
    {
        if (body.Contains("ESC", StringComparison.Ordinal))
        {
            // Each string spelling in turn, so a failure names the one that differs.
            foreach (var spelling in Spellings)
            {
                AssertSame(Utf8(body.Replace("ESC", spelling, StringComparison.Ordinal)), "gpt-4o", spelling);
            }

            return;
        }

        var bytes = Utf8(body.Replace("TOOL", Tool, StringComparison.Ordinal));
        AssertSame(bytes, "gpt-4o", body);
        AssertSame(bytes, "o3", body);
    }

    /// <summary>
    /// String contents (as they appear between quotes in the body) on both sides of what the writer spells the same way:
    /// its own escapes, escapes it spells differently (<c>\/</c>, <c>\u</c> in either case), characters it escapes when sent
    /// raw (U+2028, U+00A0, U+FEFF, DEL, emoji) and ones it keeps (é, ☃, HTML characters).
    /// </summary>
    public static readonly string[] Spellings =
    [
        "plain text, with spaces",
        "line\\nbreak \\\"quoted\\\" back\\\\slash tab\\t cr\\r bs\\b ff\\f",
        "solidus \\/ escaped",
        "caf\\u00e9 and caf\\u00E9",
        "esc \\u001b[31m red",
        "\\ud83d\\ude00 escaped emoji",
        "café ☃ <b>&amp;</b> + ` '",
        "raw emoji 😀",
        "raw line separator \u2028 and nbsp \u00a0 and bom \ufeff",
        "raw del \u007f",
        "ends with escape\\n",
        "",
    ];

    [Fact]
    public void Translate_ClaudeCodeBodies_MatchTheJsonNodeTranslator()
    {
        AssertSame(ClaudeCodeRecordings.Messages, "gpt-4.1", "Claude Code messages");
        AssertSame(ClaudeCodeRecordings.ToolResult, "gpt-4.1", "Claude Code tool result");
        AssertSame(ClaudeCodeRecordings.Messages, "o4-mini", "Claude Code messages");
    }

    [Fact]
    public void Translate_InvalidUtf8_RefusedLikeTheJsonNodeTranslator()
        => AssertSame([.. Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]}")], "gpt-4o", "invalid UTF-8");

    private static void AssertSame(byte[] body, string model, string what)
        => AssertSameAsReference(body, model, what, (b, c) => ReferenceAnthropicToOpenAIRequest.Translate(b, c), (b, c) => AnthropicToOpenAIRequest.Translate(b, c));
}
