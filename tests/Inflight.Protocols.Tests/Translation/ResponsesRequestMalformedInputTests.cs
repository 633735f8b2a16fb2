using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Generated malformed bodies: every node of realistic requests replaced by each wrong shape, removed, or
/// duplicated, plus truncated text, invalid UTF-8 and duplicate keys. Whatever the body, the translators
/// either translate it or throw <see cref="TranslationException"/> with 400; anything else is a bug (a 500).
/// </summary>
public sealed class ResponsesRequestMalformedInputTests
{
    private static readonly JsonNode?[] s_wrongValues = Parse(
        ["null", "0", "-1", "1.5", "\"x\"", "\"\"", "true", "[]", "{}", "[null]", "[1]", """{"type":"x"}""", """[{"type":"message"}]""", """{"type":"function","name":"a"}"""]);

    /// <summary>The wrong shapes tried on the large Codex body, where each translation costs more.</summary>
    private static readonly JsonNode?[] s_fewWrongValues = Parse(["null", "1.5", "\"x\"", "[]", "{}"]);

    private static readonly (string Model, bool Anthropic)[] s_targets =
    [
        ("gpt-5.5", false), ("gpt-4.1", false), ("claude-sonnet-4-6", true), ("claude-sonnet-4-5", true),
    ];

    /// <summary>An SDK-style body that takes most branches of both translators (also used by the equivalence tests).</summary>
    internal static readonly string SdkBody = """
        {
          "model": "m",
          "instructions": "Be terse.",
          "input": [
            {"role": "developer", "content": [{"type": "input_text", "text": "Use tools."}]},
            {"role": "user", "content": [
              {"type": "input_text", "text": "Look"},
              {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
              {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}
            ]},
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "hm"}], "encrypted_content": "THINKING"},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
            {"type": "function_call", "call_id": "c1", "name": "lookup", "namespace": "crm", "arguments": "{\"id\":7}"},
            {"type": "custom_tool_call", "call_id": "c2", "name": "run_sql", "input": "SELECT 1"},
            {"type": "function_call_output", "call_id": "c1", "output": [{"type": "input_text", "text": "found"}, {"type": "input_image", "image_url": "https://e.com/c.png"}]},
            {"type": "custom_tool_call_output", "call_id": "c2", "output": "1"},
            {"role": "user", "content": "Go on."}
          ],
          "tools": [
            {"type": "namespace", "name": "crm", "tools": [{"type": "function", "name": "lookup", "strict": true, "parameters": {"type": "object", "properties": {"id": {"type": "integer"}}}}]},
            {"type": "custom", "name": "run_sql", "format": {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}},
            {"type": "web_search"}
          ],
          "tool_choice": {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "custom", "name": "run_sql"}]},
          "parallel_tool_calls": false,
          "reasoning": {"effort": "medium", "summary": "auto"},
          "text": {"format": {"type": "json_schema", "name": "a", "strict": true, "schema": {"type": "object"}}, "verbosity": "low"},
          "max_output_tokens": 500,
          "temperature": 0.5,
          "top_p": 0.9,
          "user": "u",
          "safety_identifier": "s",
          "metadata": {"k": "v"},
          "include": ["reasoning.encrypted_content"],
          "store": false,
          "stream": true,
          "prompt_cache_key": "k",
          "truncation": "disabled"
        }
        """.Replace("THINKING", ThinkingEnvelope.EncodeThinking("t", "s"), StringComparison.Ordinal);

    /// <summary>Every node of <see cref="SdkBody"/> replaced by each wrong shape, removed, and (in an array) duplicated (also used by the equivalence tests).</summary>
    internal static IEnumerable<(byte[] Body, string What)> SdkBodyMutations()
        => JsonMutations.Mutations(JsonNode.Parse(SdkBody)!, s_wrongValues);

    [Fact]
    public void Translate_EveryNodeOfAnSdkBodyMutated_OnlyTranslationExceptionEscapes()
        => AssertMutationsSafe(JsonNode.Parse(SdkBody)!, skipSubtreesUnder: null, s_wrongValues, s_targets);

    [Fact]
    public void Translate_EveryNodeOfTheCodexRecordingMutated_OnlyTranslationExceptionEscapes()
        // Tool schemas are copied verbatim, so mutating inside them tests nothing new; everything else is mutated.
        => AssertMutationsSafe(RecordingJson(CodexRecording), skipSubtreesUnder: "parameters", s_fewWrongValues, [("gpt-5.5", false), ("claude-sonnet-4-6", true)]);

    [Fact]
    public void Translate_TruncatedBody_400()
    {
        var bytes = Utf8(SdkBody);
        for (var length = 0; length < bytes.Length; length += 7)
        {
            AssertSafe(bytes[..length], $"truncated at {length}", s_targets);
        }
    }

    [Fact]
    public void Translate_InvalidUtf8InAString_400()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","input":"Hi XX"}""");
        var at = Array.IndexOf(body, (byte)'X');
        body[at] = 0xC3;
        body[at + 1] = 0x28;

        foreach (var (model, anthropic) in s_targets)
        {
            var ex = Assert.Throws<TranslationException>(() => Run(body, model, anthropic));
            Assert.Equal(400, ex.Status);
        }
    }

    [Theory]
    [InlineData("""{"model":"m","input":"Hi","input":"Bye"}""")]
    [InlineData("""{"model":"m","input":[{"type":"message","role":"user","role":"assistant","content":"Hi"}]}""")]
    [InlineData("""{"model":"m","input":"Hi","tools":[{"type":"function","name":"a","parameters":{"type":"object","type":"string"}}]}""")]
    public void Translate_DuplicateKeys_400(string body)
    {
        foreach (var (model, anthropic) in s_targets)
        {
            var ex = Assert.Throws<TranslationException>(() => Run(Utf8(body), model, anthropic));
            Assert.Equal(400, ex.Status);
        }
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"body\"")]
    [InlineData("null")]
    [InlineData("")]
    public void Translate_BodyNotAnObject_400(string body)
    {
        foreach (var (model, anthropic) in s_targets)
        {
            var ex = Assert.Throws<TranslationException>(() => Run(Utf8(body), model, anthropic));
            Assert.Equal(400, ex.Status);
        }
    }

    private static void AssertMutationsSafe(JsonNode seed, string? skipSubtreesUnder, JsonNode?[] wrongValues, (string Model, bool Anthropic)[] targets)
    {
        var paths = JsonMutations.Paths(seed, skipSubtreesUnder);
        Assert.True(paths.Count - 1 > 50, $"only {paths.Count - 1} nodes below the root found");
        var bodies = 0;
        foreach (var (body, what) in JsonMutations.Mutations(seed, paths, wrongValues))
        {
            AssertSafe(body, what, targets);
            bodies++;
        }

        Assert.True(bodies < 20_000, "the generated set stays bounded");
    }

    private static void AssertSafe(byte[] body, string what, (string Model, bool Anthropic)[] targets)
    {
        foreach (var (model, anthropic) in targets)
        {
            try
            {
                Run(body, model, anthropic);
            }
            catch (TranslationException ex)
            {
                Assert.True(ex.Status == 400, $"{what} → {model}: status {ex.Status}");
            }
            catch (Exception ex)
            {
                Assert.Fail($"{what} → {model}: {ex.GetType().Name} escaped: {ex.Message}\n{ex.StackTrace}");
            }
        }
    }

    private static byte[] Run(byte[] body, string model, bool anthropic)
        => anthropic ? ResponsesToAnthropicRequest.Translate(body, Context(model)) : ResponsesToOpenAIRequest.Translate(body, Context(model));

    private static JsonNode?[] Parse(string[] values) => [.. values.Select(v => JsonNode.Parse(v))];
}
