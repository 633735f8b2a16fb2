using System.Text;
using Inflight.Protocols.Requests;

namespace Inflight.Protocols.Tests.Requests;

public sealed class RequestInspectorTests
{
    [Fact]
    public void Inspect_AnthropicConversationWithTools_CountsMessagesToolUsesAndResults()
    {
        const string Body = """
            {"model":"claude-sonnet-4-5","stream":true,"system":[{"type":"text","text":"Be brief."}],
             "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],
             "messages":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}},{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{"city":"Rome"}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},{"type":"tool_result","tool_use_id":"toolu_2","content":"24C"}]}]}
            """;

        var summary = RequestInspector.Inspect(ApiFormat.Anthropic, Encoding.UTF8.GetBytes(Body));

        Assert.Equal("claude-sonnet-4-5", summary.Model);
        Assert.True(summary.IsStreaming);
        Assert.Equal(3, summary.MessageCount);
        Assert.Equal(2, summary.ToolUses);
        Assert.Equal(2, summary.ToolResults);
        Assert.True(summary.TextBytes > 50);
    }

    [Fact]
    public void Inspect_OpenAIConversationWithToolCalls_CountsCallsAndToolMessages()
    {
        const string Body = """
            {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"18C"}]}
            """;

        var summary = RequestInspector.Inspect(ApiFormat.OpenAI, Encoding.UTF8.GetBytes(Body));

        Assert.Equal(3, summary.MessageCount);
        Assert.Equal(1, summary.ToolUses);
        Assert.Equal(1, summary.ToolResults);
        Assert.True(summary.IncludeUsageRequested);
    }

    [Fact]
    public void Inspect_ResponsesInputItems_CountsItemsCallsOutputsAndTextButNotEncryptedReasoning()
    {
        var encrypted = new string('A', 4000);
        var body = $$$"""
            {"model":"gpt-5.1-codex","stream":true,"instructions":"Be brief.","previous_response_id":"resp_7",
             "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}}],
             "input":[
              {"type":"message","role":"user","content":[{"type":"input_text","text":"List files."},{"type":"input_image","image_url":"data:image/png;base64,{{{encrypted}}}"}]},
              {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"{{{encrypted}}}"},
              {"type":"function_call","call_id":"call_1","name":"exec_command","arguments":"{\"cmd\":\"ls\"}"},
              {"type":"custom_tool_call","call_id":"call_2","name":"apply_patch","input":"*** Begin Patch"},
              {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
              {"type":"custom_tool_call_output","call_id":"call_2","output":"Done"}]}
            """;

        var summary = RequestInspector.Inspect(ApiFormat.Responses, Encoding.UTF8.GetBytes(body));

        Assert.Equal("gpt-5.1-codex", summary.Model);
        Assert.True(summary.IsStreaming);
        Assert.Equal(6, summary.MessageCount);
        Assert.Equal(2, summary.ToolUses);
        Assert.Equal(2, summary.ToolResults);
        Assert.Equal("resp_7", summary.PreviousResponseId);
        Assert.InRange(summary.TextBytes, 100, 1000);
    }

    [Fact]
    public void Inspect_ResponsesStringInput_IsOneMessage()
    {
        var summary = RequestInspector.Inspect(ApiFormat.Responses, """{"model":"gpt-5","input":"Hello there"}"""u8.ToArray());

        Assert.Equal(1, summary.MessageCount);
        Assert.InRange(summary.TextBytes, 11, 13);
        Assert.False(summary.IsStreaming);
        Assert.Null(summary.PreviousResponseId);
    }

    [Theory]
    [InlineData("{\"model\":\"m\"}", "'input' is required")]
    [InlineData("{\"model\":\"m\",\"input\":{}}", "'input' must be a string or an array")]
    [InlineData("{\"model\":\"m\",\"input\":[\"hi\"]}", "Each entry of 'input' must be an object")]
    public void Inspect_BadResponsesInput_ThrowsNamingTheField(string body, string expected)
    {
        var ex = Assert.Throws<RequestBodyException>(() => RequestInspector.Inspect(ApiFormat.Responses, Encoding.UTF8.GetBytes(body)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{oops", "not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"messages\":[]}", "'model' is required")]
    [InlineData("{\"model\":\"\",\"messages\":[]}", "'model' is required")]
    [InlineData("{\"model\":\"m\"}", "'messages' is required")]
    [InlineData("{\"model\":\"m\",\"messages\":{}}", "'messages' must be an array")]
    [InlineData("{\"model\":\"m\",\"messages\":[1]}", "must be an object")]
    public void Inspect_BadBody_ThrowsWithClientSafeMessage(string body, string expected)
    {
        var ex = Assert.Throws<RequestBodyException>(() => RequestInspector.Inspect(ApiFormat.Anthropic, Encoding.UTF8.GetBytes(body)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
