using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class ResponseUsageReaderTests
{
    [Fact]
    public void Read_AnthropicMessageWithToolUse_ReportsUsageAndToolCalls()
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(ApiFormat.Anthropic, """
            {
              "id": "msg_01Aq9w938a90dw8q",
              "type": "message",
              "role": "assistant",
              "model": "claude-sonnet-4-5",
              "content": [
                {"type": "text", "text": "I'll check both cities."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA"}},
                {"type": "tool_use", "id": "toolu_01B09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "Tokyo"}}
              ],
              "stop_reason": "tool_use",
              "stop_sequence": null,
              "usage": {"input_tokens": 2095, "cache_creation_input_tokens": 12, "cache_read_input_tokens": 4096, "output_tokens": 503, "server_tool_use": {"web_search_requests": 0}}
            }
            """u8, listener);

        Assert.Equal(["tool", "tool", "usage in=2095 out=503 read=4096 write=12"], listener.Calls);
    }

    [Fact]
    public void Read_ResponsesObjectWithFunctionCall_ReportsMappedUsageAndOneToolCall()
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(ApiFormat.Responses, System.Text.Encoding.UTF8.GetBytes(Inflight.Testing.ResponsesRecordings.Response), listener);

        // input_tokens 120 includes 100 cached; output 30 includes 12 reasoning tokens.
        Assert.Equal(["tool", "usage in=20 out=30 read=100 write="], listener.Calls);
    }

    [Fact]
    public void Read_ResponsesWithoutUsage_EstimatesTextArgumentsAndSummariesButNotEncryptedReasoning()
    {
        var listener = new RecordingUsageListener();
        var encrypted = new string('A', 4000);

        ResponseUsageReader.Read(ApiFormat.Responses, System.Text.Encoding.UTF8.GetBytes($$"""
            {"object":"response","output":[
              {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Weighing it."}],"encrypted_content":"{{encrypted}}"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Here you go, friend.","annotations":[]}]},
              {"type":"custom_tool_call","call_id":"c","name":"apply_patch","input":"*** Begin Patch"}],
             "usage":null}
            """), listener);

        Assert.Equal(["tool", "estimate 12"], listener.Calls);
    }

    [Fact]
    public void Read_OpenAICompletionWithToolCalls_ReportsMappedUsageAndToolCalls()
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(ApiFormat.OpenAI, """
            {
              "id": "chatcmpl-abc123",
              "object": "chat.completion",
              "created": 1699896916,
              "model": "gpt-4o-mini",
              "choices": [
                {
                  "index": 0,
                  "message": {
                    "role": "assistant",
                    "content": null,
                    "tool_calls": [
                      {"id": "call_abc123", "type": "function", "function": {"name": "get_current_weather", "arguments": "{\n\"location\": \"Boston, MA\"\n}"}},
                      {"id": "call_def456", "type": "function", "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Paris\"}"}}
                    ]
                  },
                  "logprobs": null,
                  "finish_reason": "tool_calls"
                }
              ],
              "usage": {"prompt_tokens": 2082, "completion_tokens": 17, "total_tokens": 2099, "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}}
            }
            """u8, listener);

        Assert.Equal(["tool", "tool", "usage in=162 out=17 read=1920 write="], listener.Calls);
    }

    [Fact]
    public void Read_OpenAIWithoutUsage_EstimatesOutputFromTheMessage()
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(ApiFormat.OpenAI,
            """{"choices":[{"index":0,"message":{"role":"assistant","content":"Sixteen bytes!!!"}},{"index":1,"message":{"content":"ignored alternative"}}]}"""u8,
            listener);

        Assert.Equal(["estimate 4"], listener.Calls);
    }

    [Fact]
    public void Read_AnthropicWithoutUsage_EstimatesTextAndToolInput()
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(ApiFormat.Anthropic,
            """{"content":[{"type":"text","text":"abcd"},{"type":"tool_use","id":"t","name":"fn","input":{"a":1}}]}"""u8,
            listener);

        // "abcd" 4 + "fn" 2 + {"a":1} 7 = 13 units: 4 tokens.
        Assert.Equal(["tool", "estimate 4"], listener.Calls);
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic)]
    [InlineData(ApiFormat.OpenAI)]
    public void Read_MalformedOrEmptyBody_ReportsNothingAndDoesNotThrow(ApiFormat format)
    {
        var listener = new RecordingUsageListener();

        ResponseUsageReader.Read(format, """{"usage":{"input_tokens":3,"prompt_tokens":3"""u8, listener);
        ResponseUsageReader.Read(format, ""u8, listener);
        ResponseUsageReader.Read(format, "[1,2]"u8, listener);
        ResponseUsageReader.Read(format, """{"error":{"type":"overloaded_error","message":"Overloaded"}}"""u8, listener);

        Assert.Empty(listener.Calls);
    }
}
