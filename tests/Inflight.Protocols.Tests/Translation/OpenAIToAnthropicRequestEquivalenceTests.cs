using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.RequestEquivalenceSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The one-pass OpenAI → Anthropic request translator gives what the <c>JsonNode</c> translator gave: the same output
/// bytes, the same notes in the same order, the same stream flags on the context, and the same 400 for what it refuses,
/// on real client bodies and on bodies that take every branch of the field policy (for a model with adaptive thinking,
/// one with a thinking budget, and one with a low output limit).
/// </summary>
public sealed class OpenAIToAnthropicRequestEquivalenceTests
{
    private const string Tool = """{"type":"function","function":{"name":"get_weather","description":"Weather \"now\"\nin a city","parameters":{"type":"object","properties":{"city":{"type":"string","description":"café <b>&amp;</b> ☃ 😀 \u2028"}},"required":["city"]},"strict":true}}""";

    private const string Call = """{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}""";

    private static readonly string[] s_models = ["claude-opus-4-6", "claude-sonnet-4-5", "claude-3-5-haiku-20241022"];

    // Bodies that use most fields at once; every value in them is replaced by each of these in turn, and every property removed.
    private static readonly string[] s_seeds =
    [
        """{"model":"m","n":1,"max_completion_tokens":100,"messages":[{"role":"developer","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"},{"role":"system","content":[{"type":"text","text":"later"}]}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"},"strict":true}}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"name":"f"}}]}},"parallel_tool_calls":false,"reasoning_effort":"xhigh","response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object"}}},"stop":["x"],"temperature":1.5,"top_p":0.5,"user":"u","stream":true,"stream_options":{"include_usage":true},"seed":1}""",
        """{"model":"m","max_tokens":5000,"temperature":0.2,"top_p":0.99,"stop":"END","messages":[{"role":"system","content":[{"type":"text","text":"sys"},{"type":"refusal","refusal":"r"}],"name":"n"},{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"text","text":"a"}],"reasoning_content":"t","function_call":{"name":"g","arguments":"not json"}},{"role":"function","name":"g","content":"[tool error] bad"},{"role":"user","content":[{"type":"image_url","image_url":"https://example.com/a.png"},{"type":"file","file":{"file_data":"data:text/plain;base64,aGk="}}]}],"functions":[{"name":"g","parameters":{"type":"object","properties":{"x":{"type":"string"}}}}],"function_call":{"name":"g"},"reasoning_effort":"medium","response_format":{"type":"json_object"},"modalities":["text"],"metadata":{"k":"v"},"web_search_options":null}""",
    ];

    private static readonly JsonNode?[] s_replacements =
    [
        null, "x", "", 7, 0, -1, 1.5, true, false, new JsonObject(), new JsonArray(), new JsonArray(1), new JsonArray("text"), new JsonObject { ["type"] = "bogus" },
        new JsonArray(new JsonObject { ["type"] = "text" }), new JsonObject { ["type"] = "text", ["text"] = 5 }, "text", "auto", "none", "required", "function", "high", "json_object",
    ];

    public static TheoryData<string> Bodies => new()
    {
        // Messages: system and developer, string and part forms, names, positions.
        """{"model":"m","messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi\u00e9\ud83d\ude00 \u2028 <tag> & + \/ \t"}]}""",
        """{"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"one"},{"type":"text","text":""},{"type":"refusal","refusal":"two"},{"type":"text","text":null,"refusal":"three"}]},{"role":"system","content":""},{"role":"system","content":null},{"role":"user","content":"hi"}]}""",
        """{"model":"m","messages":[{"role":"user","content":"hi","name":"ann"},{"role":"system","content":"later"},{"role":"user","content":"again"},{"role":"developer","content":[{"type":"text","text":"last"}]}]}""",
        """{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""",
        """{"model":"m","messages":[{"role":"system","content":[null]}]}""",
        """{"model":"m","messages":[{"role":"system","content":[{"type":"text","text":5}]}]}""",
        """{"model":"m","messages":[{"role":"system","content":5}]}""",
        """{"model":"m","messages":[]}""",
        """{"model":"m"}""",
        """{"model":"m","messages":{}}""",
        """{"model":"m","messages":null}""",
        """{"model":"m","messages":[3]}""",
        """{"model":"m","messages":[null]}""",
        """{"model":"m","messages":[{"role":"robot","content":"x"}]}""",
        """{"model":"m","messages":[{"role":"a very long role name that is cut short in the message","content":"x"}]}""",
        """{"model":"m","messages":[{"content":"x"}]}""",
        """{"model":"m","messages":[{"role":7,"content":"x"}]}""",

        // User content: strings, parts, images, files.
        """{"model":"m","messages":[{"role":"user","content":""},{"role":"user","content":[]},{"role":"user","content":[{"type":"text","text":""}]}]}""",
        """{"model":"m","messages":[{"role":"user"}]}""",
        """{"model":"m","messages":[{"role":"user","content":null}]}""",
        """{"model":"m","messages":[{"role":"user","content":5}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"see"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}},{"type":"image_url","image_url":{"url":"https://example.com/a.png?q=1&r=\u00e9"}},{"type":"image_url","image_url":"https://example.com/bare.png"}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"DATA:Image/JPEG;BASE64,\/9j\/4AAQ"}},{"type":"image_url","image_url":{"url":"data:;base64,AAAA"}},{"type":"image_url","image_url":{"url":"data:image/png,raw"}},{"type":"image_url","image_url":{"url":"data:x;base64,"}},{"type":"image_url","image_url":{"url":"data"}},{"type":"image_url","image_url":{"url":""}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/é;base64,AAAA"}},{"type":"image_url","image_url":{"url":"data:image/png;baſe64,AAAA"}},{"type":"image_url","image_url":{"url":"https://example.com/ſ;base64,x"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":5}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a \"b\".pdf","file_data":"data:application/pdf;base64,JVBERi0="}},{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBERi0="}},{"type":"file","file":{"filename":"n.txt","file_data":"data:text/plain;base64,aGVsbG8gd29ybGQgw6kK"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,not base64!"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,/w=="}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":7}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file"}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:image/png;base64,AAAA"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"https://example.com/a.pdf"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":7}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}""",
        """{"model":"m","messages":[{"role":"user","content":[null]}]}""",
        """{"model":"m","messages":[{"role":"user","content":["text"]}]}""",

        // Assistant turns and tool calls.
        """{"model":"m","messages":[{"role":"user","content":"q"},{"role":"assistant","content":"plain","reasoning_content":"hm"},{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"refusal","refusal":"no"}],"reasoning":{"x":1}},{"role":"assistant","content":""},{"role":"assistant","content":[]}]}""",
        """{"model":"m","messages":[{"role":"assistant","content":"let me check","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{ \"a\" : \"\\u00e9\\/\" , \"b\": [1.50, 1e3, -0, true, false, null], \"a\": {} }"}},{"type":"function","function":{"name":"g","arguments":""}},{"id":"c3","function":{"name":"h","arguments":" \n\t "}},{"id":"c4","function":{"name":"i"}},{"id":"c5","function":{"arguments":"{}"}},{"id":"c6"},{"id":7,"function":{"name":"j","arguments":{"a":1}}}]}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c1","function":{"name":"f","arguments":"{not json"}},{"id":"c2","function":{"name":"f","arguments":"[1]"}},{"id":"c3","function":{"name":"f","arguments":"null"}},{"id":"c4","function":{"name":"f","arguments":"{} x"}},{"id":"c5","function":{"name":"f","arguments":"{}{}"}},{"id":"c6","function":{"name":"f","arguments":"{\"a\":1,}"}},{"id":"c7","function":{"name":"f","arguments":"\u00a0\u2028"}},{"id":"c8","function":{"name":"f","arguments":"\ufeff{}"}},{"id":"c9","function":{"name":"f","arguments":"{\"s\":\"\\\"quoted\\\" \\u2028 \\ud83d\\ude00\"}"}}]}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"deep","function":{"name":"f","arguments":"DEEP64"}},{"id":"deeper","function":{"name":"f","arguments":"DEEP65"}}]}]}""",
        """{"model":"m","messages":[{"role":"assistant","content":null,"function_call":{"name":"legacy","arguments":"{\"x\":1}"}},{"role":"function","name":"legacy","content":"done"},{"role":"function","content":"anonymous"}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":{}}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":[null]}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":[5]}]}""",
        """{"model":"m","messages":[{"role":"assistant","tool_calls":null,"function_call":null,"content":"x"}]}""",
        """{"model":"m","messages":[{"role":"assistant","content":5}]}""",
        """{"model":"m","messages":[{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""",

        // Tool results: merging, the error marker, content forms.
        """{"model":"m","messages":[{"role":"user","content":"q"},CALL,{"role":"tool","tool_call_id":"c1","content":"18C"},{"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},{"role":"tool","content":null},{"role":"user","content":"thanks"}]}""",
        """{"model":"m","messages":[CALL,{"role":"tool","tool_call_id":"c1","content":"[tool error] boom"},{"role":"tool","tool_call_id":"c2","content":"\u005btool error] escaped"},{"role":"tool","tool_call_id":"c3","content":"[tool error] "},{"role":"tool","tool_call_id":"c4","content":"[tool error]"},{"role":"tool","tool_call_id":5,"content":[{"type":"text","text":"[tool error] "},{"type":"text","text":"parts"}]}]}""",
        """{"model":"m","messages":[{"role":"tool","tool_call_id":"c1","content":5}]}""",
        """{"model":"m","messages":[{"role":"tool","tool_call_id":"c1","content":[{"type":"image_url"}]}]}""",

        // Sampling, limits, stop, stream, user, dropped and refused fields.
        """{"model":"m","n":1,"max_tokens":100,"temperature":0.3,"top_p":0.8,"stop":"END","stream":true,"stream_options":{"include_usage":true},"user":"u-42","seed":7,"frequency_penalty":0.1,"presence_penalty":0,"logit_bias":{"1":2},"logprobs":true,"top_logprobs":2,"store":true,"metadata":{"k":"v"},"service_tier":"auto","prediction":{},"prompt_cache_key":"k","safety_identifier":"s","verbosity":"low","unknown_field":{"x":1},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_completion_tokens":64000,"temperature":1.7,"top_p":1,"stop":["a","b\n"],"stream":false,"stream_options":{"include_usage":false},"user":5,"metadata":null,"seed":null,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":10,"max_completion_tokens":20,"temperature":2,"stop":[],"stream":null,"stream_options":null,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":1e3,"temperature":0,"stream_options":{"include_usage":"yes"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":null,"temperature":null,"top_p":null,"stop":null,"user":null,"n":null,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","n":2,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","n":"1","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","n":1.5,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","max_completion_tokens":"10","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","temperature":"hot","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","top_p":[],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","stop":5,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","stop":["a",5],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","stop":["a",null],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","web_search_options":{},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","audio":{"voice":"alloy"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","audio":null,"web_search_options":null,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","modalities":["text"],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","modalities":["text","audio"],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","modalities":[null],"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","modalities":"audio","messages":[{"role":"user","content":"q"}]}""",

        // Tools and tool_choice.
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL,{"type":"function","function":{"name":"noschema","description":5}},{"type":"custom","custom":{"name":"grammar"}},{"type":"web_search"},{"function":{"name":"untyped","parameters":{"type":"object","properties":{}},"strict":false}}],"tool_choice":"required","parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":"auto","parallel_tool_calls":true}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":"none","parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"name":"get_weather"}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL,{"type":"custom","custom":{"name":"grammar"}}],"tool_choice":{"type":"function","function":{"name":"grammar"}},"parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"function","function":{"name":"absent"}}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL,{"type":"function","function":{"name":"b","parameters":{"type":"object"}}}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"b"}},{"name":"get_weather"},null,{"function":{"name":5}}]}}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[]}},"parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"sometimes","tools":[]}}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"allowed_tools"}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":"sometimes"}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":5}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"tool_choice":{"type":"function"}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tool_choice":"required","parallel_tool_calls":false}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[],"tool_choice":"auto"}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"custom","custom":{"name":"grammar"}}],"tool_choice":"auto"}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":null,"tool_choice":null,"parallel_tool_calls":null}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"name":"legacy","parameters":{"type":"object"}},{"name":"other","description":"d"}],"function_call":{"name":"legacy"}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"name":"legacy"}],"function_call":"auto","tools":[TOOL],"tool_choice":"none"}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[TOOL],"functions":[]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"temperature":0.5,"tools":[TOOL],"top_p":0.9,"functions":[{"name":"legacy"}],"function_call":"none","stop":"x"}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":{}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[1]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function"}]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"description":"x"}}]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"x","parameters":[]}}]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"x","parameters":null}}]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":{}}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[5]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"description":"no name"}]}""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"functions":[{"name":"x","parameters":"object"}]}""",

        // Reasoning effort, with and without what rules thinking out.
        """{"model":"m","reasoning_effort":"high","temperature":0.3,"top_p":0.9,"max_tokens":2000,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"medium","top_p":0.97,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"xhigh","max_tokens":100000,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"minimal","temperature":1.5,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"low","response_format":{"type":"json_schema","json_schema":{"name":"r","strict":true,"schema":{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"none","temperature":0.3,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"high","tools":[TOOL],"tool_choice":"required","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"high","tools":[TOOL],"tool_choice":{"type":"function","function":{"name":"absent"}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"high","tool_choice":{"type":"function","function":{"name":"no tools sent"}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":"high","tools":[TOOL],"messages":[{"role":"user","content":"q"},CALL,{"role":"tool","tool_call_id":"c1","content":"18C"}]}""",
        """{"model":"m","reasoning_effort":"high","tools":[TOOL],"messages":[{"role":"user","content":"q"},CALL,{"role":"tool","tool_call_id":"c1","content":"18C"},{"role":"user","content":"and now?"}]}""",
        """{"model":"m","reasoning_effort":"high","messages":[{"role":"tool","tool_call_id":"c1","content":"orphan"}]}""",
        """{"model":"m","reasoning_effort":"high","messages":[{"role":"user","content":"q"},CALL,{"role":"tool","tool_call_id":"c1","content":"18C"},{"role":"system","content":"after"}]}""",
        """{"model":"m","reasoning_effort":"extreme","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":5,"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","reasoning_effort":null,"messages":[{"role":"user","content":"q"}]}""",

        // response_format.
        """{"model":"m","response_format":{"type":"text"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":{"type":"json_object"},"messages":[{"role":"system","content":"Base."},{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"r"}},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":{"type":"yaml"},"messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":"json_object","messages":[{"role":"user","content":"q"}]}""",
        """{"model":"m","response_format":null,"messages":[{"role":"user","content":"q"}]}""",

        // The order of the client's fields decides the order of the output's.
        """{"stream":true,"user":"u","stop":["s"],"top_p":0.5,"temperature":0.5,"tools":[TOOL],"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"object"}}},"model":"m","messages":[{"role":"user","content":"q"}]}""",

        // Formatting, whitespace and bodies that are not requests.
        """{ "model" : "m" , "messages" : [ { "role" : "user" , "content" : [ { "type" : "text" , "text" : "spaced\/out \u00e9" } ] } ] , "tools" : [ { "type" : "function" , "function" : { "name" : "f" , "parameters" : { "type" : "object" , "properties" : { "n" : { "type" : "number" , "default" : 1.0E+2 } } } } } ] }""",
        """{"model":"m","messages":[{"role":"user","content":"q"}],"model":"n"}""",
        """{"model":"m","messages":[{"role":"user","content":"q","content":"r"}]}""",
        """[]""",
        """null""",
        "\"text\"",
        """{"model":""",
        "",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Translate_EdgeCaseBody_MatchesTheJsonNodeTranslator(string body)
    {
        var bytes = Utf8(body
            .Replace("TOOL", Tool, StringComparison.Ordinal)
            .Replace("CALL", Call, StringComparison.Ordinal)
            .Replace("DEEP64", Nested(64), StringComparison.Ordinal)
            .Replace("DEEP65", Nested(65), StringComparison.Ordinal));
        foreach (var model in s_models)
        {
            AssertSame(bytes, model, body);
        }
    }

    [Fact]
    public void Translate_RealClientBodies_MatchTheJsonNodeTranslator()
    {
        // What OpenAI clients send for the recorded Claude Code and Codex conversations: long system prompts, a few dozen tool
        // schemas, tool calls with their results, streaming with usage.
        byte[][] bodies =
        [
            AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.Messages, Context("gpt-4.1")),
            AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.ToolResult, Context("gpt-4.1")),
            AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.ToolResult, Context("o4-mini")),
            ResponsesToOpenAIRequest.Translate(ResponsesRequestSupport.Recording(ResponsesRequestSupport.CodexRecording), Context("gpt-5.5")),
            ResponsesToOpenAIRequest.Translate(ResponsesRequestSupport.Recording(ResponsesRequestSupport.CodexCustomToolRecording), Context("gpt-5.5")),
        ];
        foreach (var body in bodies)
        {
            Assert.True(body.Length > 10_000);
            foreach (var model in s_models)
            {
                AssertSame(body, model, "recorded client body");
            }
        }
    }

    [Fact]
    public void Translate_MutatedBodies_MatchTheJsonNodeTranslator()
    {
        var compared = 0;
        foreach (var seed in s_seeds)
        {
            foreach (var (body, what) in JsonMutations.Mutations(JsonNode.Parse(seed)!, s_replacements))
            {
                foreach (var model in s_models)
                {
                    AssertSame(body, model, what);
                }

                compared++;
            }
        }

        Assert.True(compared > 3000, $"only {compared} bodies were generated");
    }

    [Fact]
    public void Translate_OnTheGatewaysParse_GivesWhatTheBytesGive()
    {
        var body = Utf8("""{"model":"m","stream":true,"messages":[{"role":"user","content":"q"},CALL,{"role":"tool","tool_call_id":"c1","content":"18C"}],"tools":[TOOL]}"""
            .Replace("TOOL", Tool, StringComparison.Ordinal).Replace("CALL", Call, StringComparison.Ordinal));
        var fromBytes = Context("claude-opus-4-6");
        var fromParse = Context("claude-opus-4-6");
        using var parsed = Inflight.Protocols.Requests.RequestInspector.Parse(body);

        var expected = OpenAIToAnthropicRequest.Translate(body, fromBytes);
        var actual = OpenAIToAnthropicRequest.Translate(parsed.RootElement, fromParse);

        Assert.Equal(expected, actual);
        Assert.True(fromParse.ClientStream);
    }

    [Fact]
    public void Translate_InvalidUtf8_RefusedLikeTheJsonNodeTranslator()
        => AssertSame([.. Encoding.UTF8.GetBytes("""{"model":"m","messages":[{"role":"user","content":" """), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]}")], "claude-opus-4-6", "invalid UTF-8");

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x\udc00y"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x\ud834"}]}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":"\ud800"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"description":"\udfff"}}}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{\"a\":\"\\ud800\"}"}}]}]}""")]
    public void Translate_LoneSurrogate_IsA400ThatSaysSo(string body)
    {
        // The JsonNode translator let System.Text.Json's InvalidOperationException escape (the gateway answered it with a
        // generic 400); the text cannot be read, and the client is told so.
        Assert.Throws<InvalidOperationException>(() => ReferenceOpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude-opus-4-6")));

        var ex = Assert.Throws<TranslationException>(() => OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude-opus-4-6")));

        Assert.Equal(400, ex.Status);
        Assert.Contains("surrogate", ex.Message, StringComparison.Ordinal);
    }

    private static string Nested(int depth)
        => string.Concat(Enumerable.Repeat("{\\\"a\\\":", depth)) + "1" + new string('}', depth);

    private static void AssertSame(byte[] body, string model, string what)
        => AssertSameAsReference(body, model, what, (b, c) => ReferenceOpenAIToAnthropicRequest.Translate(b, c), (b, c) => OpenAIToAnthropicRequest.Translate(b, c));
}
