using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesTestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class AnthropicToResponsesResponseTests
{
    private static TranslationContext Ctx(List<string>? dropped = null) => Context("claude-sonnet-4-5", dropped);

    [Fact]
    public void Translate_ThinkingTextAndToolUse_GivesAResponseObject()
    {
        var message = """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[
               {"type":"thinking","thinking":"Need the weather.","signature":"sig-1"},
               {"type":"redacted_thinking","data":"opaque"},
               {"type":"text","text":"Let me "},
               {"type":"text","text":"check."},
               {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","days":[1, 2]}},
               {"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":2095,"cache_creation_input_tokens":100,"cache_read_input_tokens":3000,"output_tokens":503}}
            """;

        var output = AnthropicToResponsesResponse.Translate(Utf8(message), Ctx());

        var thinking = ThinkingEnvelope.EncodeThinking("Need the weather.", "sig-1");
        var redacted = ThinkingEnvelope.EncodeRedacted("opaque");
        JsonEqual(
            Response(
                "resp_01XFDUDYJgAACzvnptvVoYEL",
                "claude-sonnet-4-5-20250929",
                "completed",
                $$$"""
                [{"id":"rs_01XFDUDYJgAACzvnptvVoYEL_0","type":"reasoning","summary":[{"type":"summary_text","text":"Need the weather."}],"encrypted_content":"{{{thinking}}}"},
                 {"id":"rs_01XFDUDYJgAACzvnptvVoYEL_1","type":"reasoning","summary":[],"encrypted_content":"{{{redacted}}}"},
                 {"id":"msg_01XFDUDYJgAACzvnptvVoYEL_2","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Let me check."}],"role":"assistant"},
                 {"id":"fc_01XFDUDYJgAACzvnptvVoYEL_3","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\",\"days\":[1,2]}","call_id":"toolu_01A","name":"get_weather"},
                 {"id":"fc_01XFDUDYJgAACzvnptvVoYEL_4","type":"function_call","status":"completed","arguments":"{}","call_id":"toolu_02","name":"get_time"}]
                """,
                Usage(5195, 3000, 100, 503, 0)),
            output);
    }

    [Fact]
    public void Translate_MaxTokens_IsIncompleteWithMaxOutputTokens()
    {
        var message = """{"id":"msg_1","model":"m","content":[{"type":"text","text":"Once upon"}],"stop_reason":"max_tokens","usage":{"input_tokens":5,"output_tokens":3}}""";

        var response = JsonNode.Parse(AnthropicToResponsesResponse.Translate(Utf8(message), Ctx()))!;

        Assert.Equal("incomplete", response["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", response["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Equal("incomplete", response["output"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_TextAfterToolUse_StartsANewMessage()
    {
        var message = """{"id":"msg_1","model":"m","content":[{"type":"text","text":"A"},{"type":"tool_use","id":"t1","name":"f","input":{}},{"type":"text","text":"B"}],"stop_reason":"tool_use"}""";

        var response = JsonNode.Parse(AnthropicToResponsesResponse.Translate(Utf8(message), Ctx()))!;

        Assert.Equal(["message", "function_call", "message"], response["output"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Translate_UnsupportedBlocksAndUnsignedThinking_AreDroppedAndRecorded()
    {
        var dropped = new List<string>();
        var message = """
            {"id":"msg_1","model":"m","stop_reason":"end_turn","content":[
              {"type":"thinking","thinking":"hmm"},
              {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"x"}},
              {"type":"text","text":"Done."}]}
            """;

        var response = JsonNode.Parse(AnthropicToResponsesResponse.Translate(Utf8(message), Ctx(dropped)))!;

        Assert.Equal(["reasoning", "message"], response["output"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
        Assert.Null(response["output"]![0]!["encrypted_content"]);
        Assert.Contains("response content block server_tool_use", dropped);
        Assert.Contains("thinking block without a signature (cannot be sent back to the provider)", dropped);
    }

    [Fact]
    public void Translate_NamespacedTool_MapsTheUpstreamNameBack()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["mcp__files__read"] = new ClientToolName("read", "mcp__files") };
        var message = """{"id":"msg_1","model":"m","content":[{"type":"tool_use","id":"toolu_1","name":"mcp__files__read","input":{"path":"a"}}],"stop_reason":"tool_use"}""";

        var call = JsonNode.Parse(AnthropicToResponsesResponse.Translate(Utf8(message), ctx))!["output"]![0]!;

        Assert.Equal("read", call["name"]!.GetValue<string>());
        Assert.Equal("mcp__files", call["namespace"]!.GetValue<string>());
        Assert.Equal("toolu_1", call["call_id"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_CustomTool_BecomesCustomToolCall()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["tools__apply_patch"] = new ClientToolName("apply_patch", "tools") { Kind = ClientToolKind.Custom } };
        var message = """{"id":"msg_1","model":"m","content":[{"type":"tool_use","id":"toolu_1","name":"tools__apply_patch","input":{"input":"*** Begin Patch"}}],"stop_reason":"tool_use"}""";

        var call = JsonNode.Parse(AnthropicToResponsesResponse.Translate(Utf8(message), ctx))!["output"]![0]!;

        JsonEqual(
            """{"id":"ctc_1_0","type":"custom_tool_call","status":"completed","call_id":"toolu_1","name":"apply_patch","namespace":"tools","input":"*** Begin Patch"}""",
            Utf8(call.ToJsonString()));
    }
}
