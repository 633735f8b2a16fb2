using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class AnthropicToOpenAIRequestTests
{
    [Fact]
    public void Translate_ClaudeCodeStyleConversation_MapsEveryField()
    {
        var body = """
            {
              "model": "claude-sonnet-4-5",
              "max_tokens": 8192,
              "system": [
                {"type": "text", "text": "You are Claude Code."},
                {"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}
              ],
              "messages": [
                {"role": "user", "content": "What's the weather in Paris?"},
                {"role": "assistant", "content": [
                  {"type": "text", "text": "Let me check."},
                  {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris", "units": "metric"}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18°C, cloudy"},
                  {"type": "text", "text": "And tomorrow?"}
                ]}
              ],
              "tools": [
                {"name": "get_weather", "description": "Current weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
              ],
              "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
              "stop_sequences": ["</done>"],
              "temperature": 0.2,
              "top_p": 0.9,
              "top_k": 40,
              "metadata": {"user_id": "user-123"},
              "stream": true
            }
            """;
        var dropped = new List<string>();
        var ctx = Context("gpt-4o", dropped);

        var result = AnthropicToOpenAIRequest.Translate(Utf8(body), ctx);

        JsonEqual("""
            {
              "model": "gpt-4o",
              "messages": [
                {"role": "system", "content": "You are Claude Code.\n\nBe terse."},
                {"role": "user", "content": "What's the weather in Paris?"},
                {"role": "assistant", "content": "Let me check.", "tool_calls": [
                  {"id": "toolu_01A", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\",\"units\":\"metric\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "toolu_01A", "content": "18°C, cloudy"},
                {"role": "user", "content": "And tomorrow?"}
              ],
              "max_tokens": 8192,
              "tools": [
                {"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
              ],
              "tool_choice": "auto",
              "parallel_tool_calls": false,
              "stop": ["</done>"],
              "temperature": 0.2,
              "top_p": 0.9,
              "user": "user-123",
              "stream": true,
              "stream_options": {"include_usage": true}
            }
            """, result);
        Assert.True(ctx.ClientStream);
        Assert.Contains("top_k", dropped);
        Assert.Contains("cache_control", dropped);
    }

    [Fact]
    public void Translate_ImagesAndToolResultWithImageAndError_MapsToImageUrlPartsAndToolMessages()
    {
        var body = """
            {
              "model": "m", "max_tokens": 100,
              "messages": [
                {"role": "user", "content": [
                  {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                  {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
                  {"type": "text", "text": "Describe these."}
                ]},
                {"role": "assistant", "content": [
                  {"type": "tool_use", "id": "toolu_1", "name": "screenshot", "input": {}},
                  {"type": "tool_use", "id": "toolu_2", "name": "run", "input": {"cmd": "ls"}}
                ]},
                {"role": "user", "content": [
                  {"type": "tool_result", "tool_use_id": "toolu_1", "content": [
                    {"type": "text", "text": "captured"},
                    {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/"}}
                  ]},
                  {"type": "tool_result", "tool_use_id": "toolu_2", "is_error": true, "content": [{"type": "text", "text": "permission denied"}]}
                ]}
              ]
            }
            """;

        var result = AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4.1"));

        JsonEqual("""
            {
              "model": "gpt-4.1",
              "messages": [
                {"role": "user", "content": [
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                  {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                  {"type": "text", "text": "Describe these."}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                  {"id": "toolu_1", "type": "function", "function": {"name": "screenshot", "arguments": "{}"}},
                  {"id": "toolu_2", "type": "function", "function": {"name": "run", "arguments": "{\"cmd\":\"ls\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "toolu_1", "content": "captured"},
                {"role": "tool", "tool_call_id": "toolu_2", "content": "[tool error] permission denied"},
                {"role": "user", "content": [
                  {"type": "text", "text": "(image returned by tool call toolu_1)"},
                  {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/"}}
                ]}
              ],
              "max_tokens": 100
            }
            """, result);
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "\"auto\"")]
    [InlineData("""{"type":"any"}""", "\"required\"")]
    [InlineData("""{"type":"none"}""", "\"none\"")]
    [InlineData("""{"type":"tool","name":"get_weather"}""", """{"type":"function","function":{"name":"get_weather"}}""")]
    public void Translate_ToolChoice_MapsToOpenAIForm(string anthropic, string openAI)
    {
        var body = """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":""" + anthropic + "}";

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")))!;

        JsonEqual(System.Text.Json.Nodes.JsonNode.Parse(openAI), result["tool_choice"]);
    }

    [Theory]
    [InlineData("o3-mini", "max_completion_tokens")]
    [InlineData("o1", "max_completion_tokens")]
    [InlineData("o4-mini", "max_completion_tokens")]
    [InlineData("gpt-5", "max_completion_tokens")]
    [InlineData("openai/gpt-5-mini", "max_completion_tokens")]
    [InlineData("gpt-4o", "max_tokens")]
    [InlineData("gpt-5-chat-latest", "max_tokens")]
    [InlineData("llama-3.1-70b", "max_tokens")]
    public void Translate_MaxTokens_UsesTheFieldTheModelFamilyNeeds(string model, string field)
    {
        var body = """{"model":"x","max_tokens":321,"messages":[{"role":"user","content":"hi"}]}""";

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context(model)))!.AsObject();

        Assert.Equal(321, (int)result[field]!);
        Assert.False(result.ContainsKey(field == "max_tokens" ? "max_completion_tokens" : "max_tokens"));
    }

    [Theory]
    [InlineData(1024, "low")]
    [InlineData(8000, "medium")]
    [InlineData(32000, "high")]
    public void Translate_ThinkingOnReasoningModel_MapsBudgetToReasoningEffortAndDropsSampling(int budget, string effort)
    {
        var body = $$$"""{"model":"x","max_tokens":40000,"temperature":1,"thinking":{"type":"enabled","budget_tokens":{{{budget}}}},"messages":[{"role":"user","content":"hi"}]}""";
        var dropped = new List<string>();

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("o3", dropped)))!.AsObject();

        Assert.Equal(effort, (string)result["reasoning_effort"]!);
        Assert.False(result.ContainsKey("temperature"));
        Assert.Contains(dropped, d => d.StartsWith("temperature", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_ThinkingOnNonReasoningModel_DropsItWithANote()
    {
        var body = """{"model":"x","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":2000},"messages":[{"role":"user","content":"hi"}]}""";
        var dropped = new List<string>();

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o", dropped)))!.AsObject();

        Assert.False(result.ContainsKey("reasoning_effort"));
        Assert.Contains(dropped, d => d.StartsWith("thinking", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_ServerToolsAndThinkingHistory_AreDroppedAndReported()
    {
        var body = """
            {"model":"x","max_tokens":10,
             "tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"ok","input_schema":{"type":"object"}}],
             "messages":[{"role":"user","content":"hi"},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"hello"}]}]}
            """;
        var dropped = new List<string>();

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o", dropped)))!;

        Assert.Single(result["tools"]!.AsArray());
        Assert.Equal("hello", (string)result["messages"]![1]!["content"]!);
        Assert.Contains("server tool web_search_20250305", dropped);
        Assert.Contains("assistant thinking blocks", dropped);
    }

    [Fact]
    public void Translate_NotStreaming_SendsNoStreamOptions()
    {
        var body = """{"model":"x","max_tokens":10,"stream":false,"messages":[{"role":"user","content":"hi"}]}""";

        var result = System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")))!.AsObject();

        Assert.False(result.ContainsKey("stream"));
        Assert.False(result.ContainsKey("stream_options"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"model":"x","max_tokens":1}""")]
    [InlineData("""{"model":"x","max_tokens":1,"messages":[{"role":7,"content":"hi"}]}""")]
    [InlineData("""{"model":"x","max_tokens":1,"messages":[{"role":"tool","content":"hi"}]}""")]
    public void Translate_BadBody_ThrowsTranslationException400(string body)
    {
        var ex = Assert.Throws<TranslationException>(() => AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")));

        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public void Translate_LongClaudeCodeUserId_IsHashedToOpenAIsLimit()
    {
        var longId = "user_" + new string('a', 64) + "_account__session_0b7f6f1e-1c56-4c1f-9a37-5b7a4e0e3a11";
        var body = $$$"""{"model":"x","max_tokens":10,"metadata":{"user_id":"{{{longId}}}"},"messages":[{"role":"user","content":"hi"}]}""";

        var first = (string)System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")))!["user"]!;
        var second = (string)System.Text.Json.Nodes.JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")))!["user"]!;

        Assert.Equal(64, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Translate_PdfAndTextDocuments_BecomeFileAndTextParts()
    {
        var body = """
            {"model":"x","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}},
              {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain notes"}},
              {"type":"text","text":"Summarize."}
            ]}]}
            """;

        var result = AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o"));

        JsonEqual("""
            {"model":"gpt-4o","max_tokens":10,"messages":[{"role":"user","content":[
              {"type":"file","file":{"filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBERi0="}},
              {"type":"text","text":"plain notes"},
              {"type":"text","text":"Summarize."}
            ]}]}
            """, result);
    }
}
