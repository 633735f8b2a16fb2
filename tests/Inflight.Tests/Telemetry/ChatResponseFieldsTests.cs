using System.Text;
using Inflight.Telemetry;

namespace Inflight.Tests.Telemetry;

public sealed class ChatResponseFieldsTests
{
    [Fact]
    public void Read_AnthropicStreamEvents_TakesIdAndModelFromMessageStartAndStopReasonFromMessageDelta()
    {
        var fields = Read(
            """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_9","name":"f","input":{}}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}""",
            """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}""",
            """{"type":"message_stop"}""");

        Assert.Equal("msg_1", fields.Id);
        Assert.Equal("claude-x", fields.Model);
        Assert.Equal(["tool_use"], fields.FinishReasons);
        Assert.Null(fields.ReasoningTokens);
    }

    [Fact]
    public void Read_ResponsesStreamEvents_FinishReasonIsTheFinalStatusAndReasoningTokensAreRead()
    {
        var fields = Read(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"gpt-x","output":[],"usage":null}}""",
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_7","type":"message","status":"in_progress","content":[]}}""",
            """{"type":"response.output_text.delta","item_id":"msg_7","output_index":0,"delta":"Hi"}""",
            """{"type":"response.completed","response":{"id":"resp_1","status":"completed","model":"gpt-x","usage":{"input_tokens":9,"output_tokens":40,"output_tokens_details":{"reasoning_tokens":32}}}}""");

        Assert.Equal("resp_1", fields.Id);
        Assert.Equal("gpt-x", fields.Model);
        Assert.Equal(["completed"], fields.FinishReasons);
        Assert.Equal(32, fields.ReasoningTokens);
    }

    [Fact]
    public void Read_IncompleteResponsesBody_FinishReasonIsTheIncompleteReason()
    {
        var fields = Read("""{"id":"resp_2","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-x","output":[{"type":"reasoning","id":"rs_1","summary":[]}]}""");

        Assert.Equal("resp_2", fields.Id);
        Assert.Equal(["max_output_tokens"], fields.FinishReasons);
    }

    [Fact]
    public void Read_ChatCompletionBodyWithTwoChoices_OneFinishReasonPerChoice()
    {
        var fields = Read("""{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-y","choices":[{"index":0,"message":{"role":"assistant","content":"a","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"},{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"completion_tokens_details":{"reasoning_tokens":0}}}""");

        Assert.Equal("chatcmpl-1", fields.Id);
        Assert.Equal("gpt-y", fields.Model);
        Assert.Equal(["tool_calls", "stop"], fields.FinishReasons);
        Assert.Equal(0, fields.ReasoningTokens);
    }

    [Theory]
    [InlineData("{\"id\":")]
    [InlineData("[1,2]")]
    [InlineData("not json")]
    [InlineData("{\"id\":42,\"model\":{\"x\":1},\"choices\":\"no\",\"usage\":[1],\"stop_reason\":7}")]
    public void Read_MalformedOrUnexpectedShapes_AddsNothingAndDoesNotThrow(string json)
    {
        var fields = Read(json);

        Assert.Null(fields.Id);
        Assert.Null(fields.Model);
        Assert.Empty(fields.FinishReasons);
        Assert.Null(fields.ReasoningTokens);
    }

    private static ChatResponseFields Read(params string[] objects)
    {
        var fields = new ChatResponseFields();
        foreach (var json in objects)
        {
            fields.Read(Encoding.UTF8.GetBytes(json));
        }

        return fields;
    }
}
