using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class OpenAIToAnthropicRequestTests
{
    [Fact]
    public void Translate_OpenAISdkToolConversation_MapsEveryField()
    {
        var body = """
            {
              "model": "anthropic:claude-sonnet-4-5",
              "messages": [
                {"role": "system", "content": "You are helpful."},
                {"role": "developer", "content": [{"type": "text", "text": "Answer in English."}]},
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image, and the weather?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                  {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                  {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}},
                  {"id": "call_2", "type": "function", "function": {"name": "get_time", "arguments": ""}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
                {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "12:00"}]},
                {"role": "user", "content": "Thanks!"}
              ],
              "tools": [
                {"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}},
                {"type": "function", "function": {"name": "get_time"}}
              ],
              "tool_choice": "required",
              "parallel_tool_calls": false,
              "stop": "END",
              "max_completion_tokens": 500,
              "temperature": 0.5,
              "top_p": 0.8,
              "user": "u-42",
              "seed": 7,
              "stream": true,
              "stream_options": {"include_usage": true}
            }
            """;
        var dropped = new List<string>();
        var ctx = Context("claude-sonnet-4-5", dropped);

        var result = OpenAIToAnthropicRequest.Translate(Utf8(body), ctx);

        JsonEqual("""
            {
              "model": "claude-sonnet-4-5",
              "system": "You are helpful.\n\nAnswer in English.",
              "max_tokens": 500,
              "messages": [
                {"role": "user", "content": [
                  {"type": "text", "text": "What is in this image, and the weather?"},
                  {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
                ]},
                {"role": "assistant", "content": [
                  {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
                  {"type": "tool_use", "id": "call_2", "name": "get_time", "input": {}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
                  {"type": "tool_result", "tool_use_id": "call_2", "content": "12:00"},
                  {"type": "text", "text": "Thanks!"}
                ]}
              ],
              "tools": [
                {"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}},
                {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}
              ],
              "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
              "stop_sequences": ["END"],
              "temperature": 0.5,
              "top_p": 0.8,
              "metadata": {"user_id": "u-42"},
              "stream": true
            }
            """, result);
        Assert.True(ctx.ClientStream);
        Assert.True(ctx.ClientIncludeUsage);
        Assert.Contains("seed", dropped);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Translate_NGreaterThanOne_IsRefusedWith400(int n)
    {
        var body = $$$"""{"model":"x","n":{{{n}}},"messages":[{"role":"user","content":"hi"}]}""";

        var ex = Assert.Throws<TranslationException>(() => OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")));

        Assert.Equal(400, ex.Status);
        Assert.Contains("n > 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_NEqualsOne_IsAccepted()
    {
        var body = """{"model":"x","n":1,"messages":[{"role":"user","content":"hi"}]}""";

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!.AsObject();

        Assert.False(result.ContainsKey("n"));
    }

    [Fact]
    public void Translate_NoMaxTokens_UsesTheContextDefault()
    {
        var body = """{"model":"x","messages":[{"role":"user","content":"hi"}]}""";
        var ctx = new TranslationContext { Model = "claude", DefaultMaxTokens = 2048 };

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), ctx))!;

        Assert.Equal(2048, (int)result["max_tokens"]!);
        Assert.Equal(4096, new TranslationContext { Model = "m" }.DefaultMaxTokens);
    }

    [Fact]
    public void Translate_ResponseFormatJsonSchema_BecomesNativeStructuredOutput()
    {
        var body = """
            {"model":"x","messages":[{"role":"system","content":"Base."},{"role":"user","content":"hi"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"r","strict":true,"schema":{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}}}}
            """;

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!;

        Assert.Equal("Base.", (string)result["system"]!);
        JsonEqual(
            JsonNode.Parse("""{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}}}"""),
            result["output_config"]);
    }

    [Fact]
    public void Translate_ResponseFormatJsonObject_AddsASystemInstruction()
    {
        var body = """{"model":"x","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""";

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!;

        Assert.StartsWith("Respond with a single valid JSON object", (string)result["system"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"auto\"", """{"type":"auto"}""")]
    [InlineData("\"required\"", """{"type":"any"}""")]
    [InlineData("\"none\"", """{"type":"none"}""")]
    [InlineData("""{"type":"function","function":{"name":"f"}}""", """{"type":"tool","name":"f"}""")]
    public void Translate_ToolChoice_MapsToAnthropicForm(string openAI, string anthropic)
    {
        var body = """{"model":"x","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":""" + openAI + "}";

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!;

        JsonEqual(JsonNode.Parse(anthropic), result["tool_choice"]);
    }

    [Fact]
    public void Translate_ReasoningEffort_BecomesThinkingBudgetBelowMaxTokens()
    {
        var body = """{"model":"x","max_tokens":2000,"temperature":0.3,"reasoning_effort":"medium","messages":[{"role":"user","content":"hi"}]}""";
        var dropped = new List<string>();

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude", dropped)))!.AsObject();

        JsonEqual(JsonNode.Parse("""{"type":"enabled","budget_tokens":4096}"""), result["thinking"]);
        Assert.True((int)result["max_tokens"]! > 4096);
        Assert.False(result.ContainsKey("temperature"));
    }

    [Fact]
    public void Translate_TemperatureAboveOne_IsClampedAndReported()
    {
        var body = """{"model":"x","temperature":1.7,"messages":[{"role":"user","content":"hi"}]}""";
        var dropped = new List<string>();

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude", dropped)))!;

        Assert.Equal(1.0, (double)result["temperature"]!);
        Assert.Contains(dropped, d => d.StartsWith("temperature", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_AudioInput_IsRefusedRatherThanSilentlyDropped()
    {
        var body = """{"model":"x","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]}""";

        var ex = Assert.Throws<TranslationException>(() => OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")));

        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public void Translate_ToolResultWithErrorMarker_RestoresIsError()
    {
        var body = """{"model":"x","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"[tool error] boom"}]}""";

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!;

        JsonEqual(JsonNode.Parse("""{"type":"tool_result","tool_use_id":"c","content":"boom","is_error":true}"""), result["messages"]![1]!["content"]![0]);
    }

    [Fact]
    public void Translate_InvalidToolArguments_KeepsTheTextUnderArguments()
    {
        var body = """{"model":"x","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{not json"}}]}]}""";

        var result = JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), Context("claude")))!;

        JsonEqual(JsonNode.Parse("""{"arguments":"{not json"}"""), result["messages"]![0]!["content"]![0]!["input"]);
    }
}
