using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.RequestEquivalenceSupport;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// The one-pass Responses → Anthropic request translator gives what the <c>JsonNode</c> translator gave: the same output
/// bytes, the same notes in the same order, the same tool names mapped back for the client, the same stream flag, and the
/// same 400 for what it refuses — on the bodies and real Codex requests the Responses → Chat equivalence tests use, and on
/// every node of an SDK-style body mutated — for a Claude model with adaptive thinking, one with a thinking budget, and a
/// model that is not Claude on an Anthropic-format provider (a budget, as for any unknown model).
/// </summary>
public sealed class ResponsesToAnthropicRequestEquivalenceTests
{
    private static readonly string[] s_models = ["claude-opus-4-7", "claude-3-7-sonnet-20250219", "glm-4.6"];

    /// <summary>Thinking, with its envelope, in front of the tool call it preceded; and one with nothing after it.</summary>
    private static readonly string s_thinking = ThinkingEnvelope.EncodeThinking("plan \"it\"\n\u00e9", "sig");
    private static readonly string s_redacted = ThinkingEnvelope.EncodeRedacted("opaque");

    public static TheoryData<string> Bodies
    {
        get
        {
            var bodies = new TheoryData<string>();
            foreach (var body in ResponsesToOpenAIRequestEquivalenceTests.Bodies)
            {
                bodies.Add(body.Data);
            }

            foreach (var body in ThinkingBodies())
            {
                bodies.Add(body);
            }

            return bodies;
        }
    }

    private static IEnumerable<string> ThinkingBodies()
    {
        var reasoning = $$$$"""{"type":"reasoning","encrypted_content":"{{{{s_thinking}}}}"}""";
        var redacted = $$$$"""{"type":"reasoning","encrypted_content":"{{{{s_redacted}}}}"}""";
        var call = """{"type":"function_call","call_id":"c1","name":"f","arguments":"{\"a\":1}"}""";
        var output = """{"type":"function_call_output","call_id":"c1","output":"r"}""";
        foreach (var effort in new[] { "high", "xhigh", "none", "low", "bogus" })
        {
            var r = $$$$""","reasoning":{"effort":"{{{{effort}}}}","summary":"auto"}""";
            yield return $$$$"""{"model":"m","input":[{"role":"user","content":"q"},{{{{reasoning}}}},{{{{call}}}},{{{{output}}}}]{{{{r}}}}}""";
            yield return $$$$"""{"model":"m","input":[{"role":"user","content":"q"},{{{{call}}}},{{{{output}}}}]{{{{r}}}},"temperature":0.5,"top_p":0.9}""";
            yield return $$$$"""{"model":"m","input":[{"role":"user","content":"q"},{{{{redacted}}}},{"role":"assistant","content":""},{{{{reasoning}}}},{{{{call}}}},{{{{output}}}},{{{{reasoning}}}}]{{{{r}}}},"top_p":0.5,"max_output_tokens":100}""";
            yield return $$$$"""{"model":"m","input":[{{{{reasoning}}}},{"role":"user","content":"q"},{{{{reasoning}}}},{"role":"assistant","content":[{"type":"output_text","text":"a"}]},{{{{call}}}}]{{{{r}}}},"text":{"format":{"type":"json_schema","schema":{"type":"object"}}},"prompt_cache_key":"k"}""";
            yield return $$$$"""{"model":"m","prompt_cache_key":"k","input":"q","tools":[FN],"tool_choice":{"type":"function","name":"get_weather"}{{{{r}}}},"text":{"format":{"type":"json_object"}}}""";
            yield return $$$$"""{"model":"m","input":"q","tools":[FN],"parallel_tool_calls":false,"max_output_tokens":2000{{{{r}}}},"temperature":2}""";
        }
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Translate_EdgeCaseBody_MatchesTheJsonNodeTranslator(string body)
    {
        var bytes = Utf8(body.Replace("FN", ResponsesToOpenAIRequestEquivalenceTests.Fn, StringComparison.Ordinal));
        foreach (var model in s_models)
        {
            AssertSame(bytes, model, body);
        }
    }

    [Theory]
    [InlineData(CodexRecording)]
    [InlineData(CodexCustomToolRecording)]
    [InlineData(CodexFallbackRecording)]
    public void Translate_CodexRecording_MatchesTheJsonNodeTranslator(string recording)
    {
        foreach (var model in s_models)
        {
            AssertSame(Recording(recording), model, recording);
        }
    }

    [Fact]
    public void Translate_CodexRecordingOnTheInspectorsParse_MatchesTheJsonNodeTranslator()
    {
        // The real Codex turn on the gateway's path: the inspector's parse, translated without parsing again.
        using var parsed = Inflight.Protocols.Requests.RequestInspector.Parse(Recording(CodexRecording));
        var fromParsed = ResponsesToAnthropicRequest.Translate(parsed.RootElement, Context("claude-opus-4-7"));
        Assert.Equal(ReferenceResponsesToAnthropicRequest.Translate(Recording(CodexRecording), Context("claude-opus-4-7")), fromParsed);
        Assert.NotEmpty(JsonNode.Parse(fromParsed)!["tools"]!.AsArray());
    }

    [Fact]
    public void Translate_ToolContinuationWithInflightThinking_KeepsThinkingFirstInTheTurn()
    {
        // The thinking bodies above reach the thinking decision: the envelope's block leads the assistant turn, so thinking stays on.
        var body = Utf8(ThinkingBodies().First());
        var result = JsonNode.Parse(ResponsesToAnthropicRequest.Translate(body, Context("claude-opus-4-7")))!;
        Assert.Equal(ReferenceResponsesToAnthropicRequest.Translate(body, Context("claude-opus-4-7")), ResponsesToAnthropicRequest.Translate(body, Context("claude-opus-4-7")));
        Assert.Equal("adaptive", result["thinking"]!["type"]!.GetValue<string>());
        Assert.Equal("thinking", result["messages"]![1]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("tool_result", result["messages"]![2]!["content"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_EveryNodeOfAnSdkBodyMutated_MatchesTheJsonNodeTranslator()
    {
        foreach (var (body, what) in ResponsesRequestMalformedInputTests.SdkBodyMutations())
        {
            AssertSame(body, "claude-opus-4-7", what);
            AssertSame(body, "claude-3-7-sonnet-20250219", what);
        }
    }

    [Fact]
    public void Translate_TemperatureBeyondDouble_400WhereTheJsonNodeTranslatorClampedInfinity()
    {
        // 1e400 reads as infinity: the JsonNode translator sent temperature 1 (infinity clamped), the shared reader now refuses it as Chat's does.
        var body = Utf8("""{"model":"m","input":"q","temperature":1e400}""");
        Assert.Equal(1.0, JsonNode.Parse(ReferenceResponsesToAnthropicRequest.Translate(body, Context("claude-3-7-sonnet-20250219")))!["temperature"]!.GetValue<double>());

        var ex = Assert.Throws<TranslationException>(() => ResponsesToAnthropicRequest.Translate(body, Context("claude-3-7-sonnet-20250219")));
        Assert.Equal(400, ex.Status);
        Assert.Equal("temperature: must be a number.", ex.Message);
    }

    [Fact]
    public void Translate_TopPBeyondDouble_400WhereTheJsonNodeTranslatorFailed()
    {
        // Infinity cannot be written as JSON: the JsonNode translator let that ArgumentException escape (a 500).
        var body = Utf8("""{"model":"m","input":"q","top_p":1e400}""");
        Assert.Throws<ArgumentException>(() => ReferenceResponsesToAnthropicRequest.Translate(body, Context("claude-3-7-sonnet-20250219")));

        var ex = Assert.Throws<TranslationException>(() => ResponsesToAnthropicRequest.Translate(body, Context("claude-3-7-sonnet-20250219")));
        Assert.Equal(400, ex.Status);
        Assert.Equal("top_p: must be a number.", ex.Message);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"a\ud800b"}""")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":"x\udc00"}]}""")]
    [InlineData("""{"model":"m","input":"q","tools":[{"type":"function","name":"f","parameters":{"description":"\\\ud800"}}]}""")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","call_id":"c\ud83d\ud83d","name":"f","arguments":"{}"}]}""")]
    public void Translate_UnpairedSurrogateEscape_400WhereTheJsonNodeTranslatorFailed(string body)
    {
        // Valid JSON whose string cannot be unescaped: the JsonNode translator let System.Text.Json's InvalidOperationException escape (a 500).
        Assert.Throws<InvalidOperationException>(() => ReferenceResponsesToAnthropicRequest.Translate(Utf8(body), Context("claude-opus-4-7")));

        var ex = Assert.Throws<TranslationException>(() => ResponsesToAnthropicRequest.Translate(Utf8(body), Context("claude-opus-4-7")));
        Assert.Equal(400, ex.Status);
        Assert.Contains("surrogate pair", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertSame(byte[] body, string model, string what)
        => AssertSameAsReference(body, model, what, (b, c) => ReferenceResponsesToAnthropicRequest.Translate(b, c), (b, c) => ResponsesToAnthropicRequest.Translate(b, c));
}
