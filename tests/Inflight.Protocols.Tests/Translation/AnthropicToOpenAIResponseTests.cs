using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class AnthropicToOpenAIResponseTests
{
    [Fact]
    public void Translate_MessageWithTextThinkingAndToolUse_GivesChatCompletion()
    {
        // Shaped like the Messages reference's response example, with a tool_use block.
        var body = """
            {
              "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
              "type": "message",
              "role": "assistant",
              "model": "claude-sonnet-4-5-20250929",
              "content": [
                {"type": "thinking", "thinking": "The user wants weather.", "signature": "EqQBCgIYAhIM"},
                {"type": "text", "text": "I'll check the weather."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA", "unit": "celsius"}}
              ],
              "stop_reason": "tool_use",
              "stop_sequence": null,
              "usage": {"input_tokens": 472, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 2000, "output_tokens": 89, "service_tier": "standard"}
            }
            """;
        var dropped = new List<string>();

        var result = AnthropicToOpenAIResponse.Translate(Utf8(body), Context("claude-sonnet-4-5", dropped));

        JsonEqual($$$"""
            {
              "id": "chatcmpl-013Zva2CMHLNnXjNJJKqJ2EF",
              "object": "chat.completion",
              "created": {{{Now}}},
              "model": "claude-sonnet-4-5-20250929",
              "choices": [{
                "index": 0,
                "message": {
                  "role": "assistant",
                  "content": "I'll check the weather.",
                  "refusal": null,
                  "reasoning_content": "The user wants weather.",
                  "tool_calls": [
                    {"id": "toolu_01A09q90qw90lq917835lq9", "type": "function", "function": {"name": "get_weather", "arguments": "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}"}}
                  ]
                },
                "logprobs": null,
                "finish_reason": "tool_calls"
              }],
              "usage": {"prompt_tokens": 2572, "completion_tokens": 89, "total_tokens": 2661, "prompt_tokens_details": {"cached_tokens": 2000}}
            }
            """, result);
        Assert.Contains("thinking signature", dropped);
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("pause_turn", "stop")]
    public void Translate_StopReason_MapsToFinishReason(string stop, string finish)
    {
        var body = $$$"""{"id":"msg_1","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"x"}],"stop_reason":"{{{stop}}}","usage":{"input_tokens":1,"output_tokens":1}}""";

        var result = JsonNode.Parse(AnthropicToOpenAIResponse.Translate(Utf8(body), Context("c")))!;

        Assert.Equal(finish, (string)result["choices"]![0]!["finish_reason"]!);
    }

    [Fact]
    public void Translate_ToolUseOnly_HasNullContent()
    {
        var body = """{"id":"msg_1","type":"message","role":"assistant","model":"c","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}""";

        var result = JsonNode.Parse(AnthropicToOpenAIResponse.Translate(Utf8(body), Context("c")))!;

        Assert.Null(result["choices"]![0]!["message"]!["content"]);
        Assert.Equal("{}", (string)result["choices"]![0]!["message"]!["tool_calls"]![0]!["function"]!["arguments"]!);
    }
}
