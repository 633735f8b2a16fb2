using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class OpenAIToAnthropicResponseTests
{
    [Fact]
    public void Translate_CompletionWithTextAndToolCalls_GivesAnthropicMessage()
    {
        // Shaped like the Chat Completions reference's "chat.completion object" with a function call.
        var body = """
            {
              "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
              "object": "chat.completion",
              "created": 1741570283,
              "model": "gpt-4o-2024-08-06",
              "choices": [{
                "index": 0,
                "message": {
                  "role": "assistant",
                  "content": "Checking both.",
                  "refusal": null,
                  "tool_calls": [
                    {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"Boston, MA\"}"}},
                    {"id": "call_def", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
                  ],
                  "annotations": []
                },
                "logprobs": null,
                "finish_reason": "tool_calls"
              }],
              "usage": {
                "prompt_tokens": 1117, "completion_tokens": 46, "total_tokens": 1163,
                "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 10, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
              },
              "service_tier": "default",
              "system_fingerprint": "fp_fc9f1d7035"
            }
            """;

        var result = OpenAIToAnthropicResponse.Translate(Utf8(body), Context("gpt-4o"));

        JsonEqual("""
            {
              "id": "msg_B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
              "type": "message",
              "role": "assistant",
              "model": "gpt-4o-2024-08-06",
              "content": [
                {"type": "text", "text": "Checking both."},
                {"type": "tool_use", "id": "call_abc", "name": "get_weather", "input": {"location": "Boston, MA"}},
                {"type": "tool_use", "id": "call_def", "name": "get_time", "input": {}}
              ],
              "stop_reason": "tool_use",
              "stop_sequence": null,
              "usage": {"input_tokens": 93, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1024, "output_tokens": 46}
            }
            """, result);
    }

    [Theory]
    [InlineData("stop", "end_turn")]
    [InlineData("length", "max_tokens")]
    [InlineData("tool_calls", "tool_use")]
    [InlineData("function_call", "tool_use")]
    [InlineData("content_filter", "refusal")]
    public void Translate_FinishReason_MapsToStopReason(string finish, string stop)
    {
        var body = $$$"""{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"{{{finish}}}"}],"usage":{"prompt_tokens":5,"completion_tokens":1}}""";

        var result = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(Utf8(body), Context("m")))!;

        Assert.Equal(stop, (string)result["stop_reason"]!);
    }

    [Theory]
    [InlineData("""{"prompt_tokens":2006,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":150}}""", 56, 1800, 150)]
    [InlineData("""{"prompt_tokens":2006,"completion_tokens":9,"prompt_cache_hit_tokens":1920,"prompt_cache_miss_tokens":86}""", 86, 1920, 0)]
    public void Translate_CompatibleProviderCacheUsage_ReportsCacheReadsAndWritesApart(string usage, long input, long cacheRead, long cacheCreation)
    {
        // OpenRouter's cache_write_tokens and DeepSeek's prompt_cache_hit_tokens are inside prompt_tokens too.
        var body = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],"usage":""" + usage + "}";

        var result = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(Utf8(body), Context("m")))!["usage"]!;

        Assert.Equal((input, cacheRead, cacheCreation, 9L), ((long)result["input_tokens"]!, (long)result["cache_read_input_tokens"]!, (long)result["cache_creation_input_tokens"]!, (long)result["output_tokens"]!));
    }

    [Fact]
    public void Translate_Refusal_BecomesTextWithRefusalStopReason()
    {
        var body = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}""";

        var result = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(Utf8(body), Context("m", estimatedInput: 12)))!;

        Assert.Equal("refusal", (string)result["stop_reason"]!);
        Assert.Equal("I can't help with that.", (string)result["content"]![0]!["text"]!);
        Assert.Equal(12, (int)result["usage"]!["input_tokens"]!);
    }

    [Fact]
    public void Translate_ResponseModelSet_ReportsTheClientsModelName()
    {
        var body = """{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"}]}""";
        var ctx = new TranslationContext { Model = "gpt-4o", ResponseModel = "openai:gpt-4o" };

        var result = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(Utf8(body), ctx))!;

        Assert.Equal("openai:gpt-4o", (string)result["model"]!);
    }

    [Fact]
    public void Translate_ToolCallsWithStopFinish_StillGivesToolUse()
    {
        var body = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}]}""";

        var result = JsonNode.Parse(OpenAIToAnthropicResponse.Translate(Utf8(body), Context("m")))!;

        Assert.Equal("tool_use", (string)result["stop_reason"]!);
    }
}
