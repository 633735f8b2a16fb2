using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>OpenAI clients toward Anthropic-format providers: effort, forced tools, documents, allowed_tools.</summary>
public sealed class OpenAIToAnthropicReasoningTests
{
    private static JsonObject Translate(string body, TranslationContext ctx)
        => JsonNode.Parse(OpenAIToAnthropicRequest.Translate(Utf8(body), ctx))!.AsObject();

    [Theory]
    [InlineData("claude-sonnet-4-6", "high", "high")]
    [InlineData("claude-opus-4-6", "xhigh", "max")]
    [InlineData("claude-sonnet-4-6", "xhigh", "high")]
    [InlineData("claude-opus-5-5", "minimal", "low")]
    [InlineData("anthropic/claude-sonnet-5-5", "medium", "medium")]
    public void Translate_ReasoningEffortOnCurrentClaude_IsAdaptiveThinkingWithEffort(string model, string effort, string expected)
    {
        var ctx = Context(model);

        var result = Translate($$"""{"model":"x","reasoning_effort":"{{effort}}","temperature":0.3,"messages":[{"role":"user","content":"hi"}]}""", ctx);

        JsonEqual(JsonNode.Parse("""{"type":"adaptive"}"""), result["thinking"]);
        Assert.Equal(expected, (string)result["output_config"]!["effort"]!);
        Assert.Null(result["temperature"]);
        Assert.Contains($"reasoning_effort {effort} → thinking adaptive, effort {expected}", ctx.Notes);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5")]
    [InlineData("claude-3-7-sonnet-20250219")]
    [InlineData("claude-opus-4-1-20250805")]
    [InlineData("glm-4.6")]
    public void Translate_ReasoningEffortOnOlderOrUnknownModel_IsAManualBudget(string model)
    {
        var result = Translate("""{"model":"x","reasoning_effort":"medium","max_tokens":2000,"messages":[{"role":"user","content":"hi"}]}""", Context(model));

        JsonEqual(JsonNode.Parse("""{"type":"enabled","budget_tokens":4096}"""), result["thinking"]);
        Assert.True((long)result["max_tokens"]! > 4096);
        Assert.Null(result["output_config"]);
    }

    [Fact]
    public void Translate_ReasoningEffortNone_SendsNoThinkingAndSaysSo()
    {
        var ctx = Context("claude-sonnet-4-6");

        var result = Translate("""{"model":"x","reasoning_effort":"none","messages":[{"role":"user","content":"hi"}]}""", ctx);

        Assert.Null(result["thinking"]);
        Assert.Contains("reasoning_effort none → no thinking", ctx.Notes);
    }

    [Fact]
    public void Translate_ReasoningWithForcedToolChoice_SendsNoThinking()
    {
        var ctx = Context("claude-sonnet-4-6");

        var result = Translate("""
            {"model":"x","reasoning_effort":"high","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"required"}
            """, ctx);

        Assert.Null(result["thinking"]);
        Assert.Equal("any", (string)result["tool_choice"]!["type"]!);
        Assert.Contains(ctx.Notes, n => n.Contains("forced tool_choice", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_ReasoningOnAToolContinuation_SendsNoThinking()
    {
        var ctx = Context("claude-opus-4-6");

        var result = Translate("""
            {"model":"x","reasoning_effort":"high","messages":[
              {"role":"user","content":"list files"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"ls","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"a.txt"}],
             "tools":[{"type":"function","function":{"name":"ls","parameters":{"type":"object"}}}]}
            """, ctx);

        Assert.Null(result["thinking"]);
        Assert.Contains(ctx.Notes, n => n.Contains("tool continuation", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_FilePartWithPdf_BecomesADocumentBlock()
    {
        var result = Translate("""
            {"model":"x","messages":[{"role":"user","content":[{"type":"text","text":"Summarise"},{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]}]}
            """, Context("claude-sonnet-4-6"));

        JsonEqual(
            JsonNode.Parse("""{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="},"title":"a.pdf"}"""),
            result["messages"]![0]!["content"]![1]);
    }

    [Fact]
    public void Translate_FilePartWithFileId_IsRefusedByName()
    {
        var ex = Assert.Throws<TranslationException>(() => Translate("""
            {"model":"x","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc"}}]}]}
            """, Context("claude")));

        Assert.Contains("messages.0.content.0.file.file_id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_AllowedToolsAndStrict_LimitTheToolsAndKeepStrict()
    {
        var ctx = Context("claude-sonnet-4-6");

        var result = Translate("""
            {"model":"x","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object"},"strict":true}},{"type":"function","function":{"name":"b","parameters":{"type":"object"}}}],
             "tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"required","tools":[{"type":"function","function":{"name":"a"}}]}}}
            """, ctx);

        var tools = result["tools"]!.AsArray();
        Assert.Single(tools);
        Assert.Equal("a", (string)tools[0]!["name"]!);
        Assert.True((bool)tools[0]!["strict"]!);
        Assert.Equal("any", (string)result["tool_choice"]!["type"]!);
        Assert.Contains("tool_choice allowed_tools → 1 of 2 tools sent", ctx.Notes);
    }

    [Fact]
    public void Translate_ToolChoiceNamingADroppedTool_IsDowngradedToAuto()
    {
        var ctx = Context("claude");

        var result = Translate("""
            {"model":"x","messages":[{"role":"user","content":"hi"}],
             "tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object"}}},{"type":"custom","custom":{"name":"grammar"}}],
             "tool_choice":{"type":"function","function":{"name":"grammar"}}}
            """, ctx);

        Assert.Equal("auto", (string)result["tool_choice"]!["type"]!);
        Assert.Contains("tool_choice grammar → auto (the tool was not sent upstream)", ctx.Notes);
    }

    [Fact]
    public void Translate_MaxTokensAboveTheModelLimit_IsClamped()
    {
        var ctx = Context("claude-3-5-haiku-20241022");

        var result = Translate("""{"model":"x","max_completion_tokens":64000,"messages":[{"role":"user","content":"hi"}]}""", ctx);

        Assert.Equal(8192, (int)result["max_tokens"]!);
        Assert.Contains("max_tokens 64000 → 8192 (claude-3-5-haiku-20241022 limit)", ctx.Notes);
    }
}
