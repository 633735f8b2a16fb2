using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>What Claude Code 2.1.332 really sends (the recorded bodies), translated toward OpenAI-format providers.</summary>
public sealed class ClaudeCodeTranslationTests
{
    [Fact]
    public void Translate_RecordedFirstRequestToGpt4oMini_KeepsTheSystemTurnInPlaceAndNotesEveryChange()
    {
        var ctx = Context("gpt-4o-mini");

        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.Messages, ctx))!;

        var roles = result["messages"]!.AsArray().Select(m => (string)m!["role"]!).ToArray();
        Assert.Equal(["system", "user", "system"], roles);
        Assert.StartsWith("# Environment", (string)result["messages"]![2]!["content"]!, StringComparison.Ordinal);
        Assert.Equal(16384, (int)result["max_tokens"]!);
        Assert.Equal(12, result["tools"]!.AsArray().Count);
        Assert.Null(result["reasoning_effort"]);
        Assert.Equal(64, ((string)result["user"]!).Length);
        Assert.Contains("max_tokens 128000 → 16384 (gpt-4o-mini limit)", ctx.Notes);
        Assert.Contains("dropped: context_management", ctx.Notes);
        Assert.Contains("dropped: cache_control", ctx.Notes);
        Assert.Contains("dropped: tools[].defer_loading", ctx.Notes);
        Assert.Contains("dropped: effort medium (gpt-4o-mini takes no reasoning_effort)", ctx.Notes);
    }

    [Fact]
    public void Translate_RecordedFirstRequestToReasoningModel_MapsEffortAndClampsMaxCompletionTokens()
    {
        var ctx = Context("o3");

        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.Messages, ctx))!;

        Assert.Equal("medium", (string)result["reasoning_effort"]!);
        Assert.Equal(100000, (int)result["max_completion_tokens"]!);
        Assert.Null(result["max_tokens"]);
        Assert.Contains("effort medium → reasoning_effort medium", ctx.Notes);
    }

    [Fact]
    public void Translate_RecordedToolRoundTrip_SendsTheToolCallAndResultWithoutThinking()
    {
        var ctx = Context("gpt-4.1");

        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.ToolResult, ctx))!;

        var messages = result["messages"]!.AsArray();
        var assistant = messages[^2]!;
        Assert.Equal("assistant", (string)assistant["role"]!);
        Assert.Equal("Running it.", (string)assistant["content"]!);
        Assert.Equal("Bash", (string)assistant["tool_calls"]![0]!["function"]!["name"]!);
        Assert.Equal("""{"command":"echo inflight-ok","description":"Print a marker"}""", (string)assistant["tool_calls"]![0]!["function"]!["arguments"]!);
        Assert.Equal("tool", (string)messages[^1]!["role"]!);
        Assert.Equal("inflight-ok", (string)messages[^1]!["content"]!);
        Assert.Contains("dropped: assistant thinking blocks", ctx.Notes);
        Assert.Equal(32768, (int)result["max_tokens"]!);
    }

    [Fact]
    public void Translate_OperatorOutputLimit_WinsOverTheTable()
    {
        var ctx = Context("my-local-model", maxOutputTokens: 8000);

        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.Messages, ctx))!;

        Assert.Equal(8000, (int)result["max_tokens"]!);
    }

    [Fact]
    public void Translate_UnknownModelWithoutSetting_KeepsMaxTokens()
    {
        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(ClaudeCodeRecordings.Messages, Context("my-local-model")))!;

        Assert.Equal(128000, (int)result["max_tokens"]!);
    }

    [Theory]
    [InlineData("""{"type":"adaptive"}""", null, "high")]
    [InlineData("""{"type":"adaptive"}""", "low", "low")]
    [InlineData("""{"type":"enabled","budget_tokens":2048}""", null, "low")]
    [InlineData("""{"type":"enabled","budget_tokens":2048}""", "high", "high")]
    [InlineData(null, "medium", "medium")]
    [InlineData(null, "max", "high")]
    [InlineData("""{"type":"disabled"}""", null, "low")]
    public void Translate_ThinkingAndEffort_BecomeReasoningEffort(string? thinking, string? effort, string expected)
    {
        var body = new JsonObject
        {
            ["model"] = "m",
            ["max_tokens"] = 1000,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }),
        };
        if (thinking is not null)
        {
            body["thinking"] = JsonNode.Parse(thinking);
        }

        if (effort is not null)
        {
            body["output_config"] = new JsonObject { ["effort"] = effort };
        }

        var ctx = Context("gpt-5");
        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body.ToJsonString()), ctx))!;

        Assert.Equal(expected, (string)result["reasoning_effort"]!);
        Assert.Contains(ctx.Notes, n => n.EndsWith("→ reasoning_effort " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_StructuredOutputStrictToolsAndStops_AreCarried()
    {
        var body = """
            {"model":"m","max_tokens":100,"messages":[
              {"role":"user","content":"hi"},
              {"role":"assistant","content":[{"type":"text","text":"First."},{"type":"text","text":"Second."}]},
              {"role":"user","content":"go"}],
             "tools":[{"name":"f","input_schema":{"type":"object"},"strict":true},{"type":"web_search_20250305","name":"web_search"}],
             "tool_choice":{"type":"tool","name":"web_search"},
             "stop_sequences":["1","2","3","4","5","6"],
             "output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}}}
            """;
        var ctx = Context("gpt-4o");

        var result = JsonNode.Parse(AnthropicToOpenAIRequest.Translate(Utf8(body), ctx))!;

        Assert.Equal("First.\n\nSecond.", (string)result["messages"]![1]!["content"]!);
        Assert.True((bool)result["tools"]![0]!["function"]!["strict"]!);
        Assert.Single(result["tools"]!.AsArray());
        Assert.Equal("auto", (string)result["tool_choice"]!);
        Assert.Contains("tool_choice web_search → auto (the tool was not sent upstream)", ctx.Notes);
        Assert.Equal(["1", "2", "3", "4"], result["stop"]!.AsArray().Select(s => (string)s!));
        Assert.Contains("stop_sequences trimmed from 6 to 4 (OpenAI's limit)", ctx.Notes);
        JsonEqual(
            JsonNode.Parse("""{"type":"json_schema","json_schema":{"name":"output","schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false},"strict":true}}"""),
            result["response_format"]);
    }

    [Theory]
    [InlineData("""{"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}}""", "source type 'url'")]
    [InlineData("""{"type":"document","source":{"type":"file","file_id":"file_01"}}""", "source type 'file'")]
    [InlineData("""{"type":"document","source":{"type":"content","content":[{"type":"text","text":"x"}]}}""", "source type 'content'")]
    [InlineData("""{"type":"image","source":{"type":"file","file_id":"file_01"}}""", "source type 'file'")]
    public void Translate_SourcesWithoutCounterpart_AreRefusedByName(string block, string expected)
    {
        var body = $$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{{block}}]}]}""";

        var ex = Assert.Throws<TranslationException>(() => AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")));

        Assert.Equal(400, ex.Status);
        Assert.Contains("messages.0.content.0.source", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_McpServers_IsRefusedByName()
    {
        var body = """{"model":"m","max_tokens":10,"mcp_servers":[{"type":"url","url":"https://example.com","name":"x"}],"messages":[{"role":"user","content":"hi"}]}""";

        var ex = Assert.Throws<TranslationException>(() => AnthropicToOpenAIRequest.Translate(Utf8(body), Context("gpt-4o")));

        Assert.StartsWith("mcp_servers:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fields_EveryRefusedOrDroppedFieldSaysWhy()
    {
        foreach (var (name, policy) in AnthropicToOpenAIRequest.Fields.Concat(OpenAIToAnthropicRequest.Fields))
        {
            Assert.False(string.IsNullOrWhiteSpace(policy.Why), name);
        }

        // What Claude Code sends today is all covered by the table.
        var recorded = JsonNode.Parse(ClaudeCodeRecordings.Messages)!.AsObject();
        Assert.All(recorded, p => Assert.True(AnthropicToOpenAIRequest.Fields.ContainsKey(p.Key), p.Key));
    }
}
