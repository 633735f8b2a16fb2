using System.Text;
using System.Text.Json.Nodes;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Bad shapes are 400s, never 500s: thousands of mutations of real bodies (the recorded Claude Code
/// requests among them) go through every translator, and nothing but the translation's own error may
/// come out. Mutations are generated from a fixed seed, so a failure reproduces.
/// </summary>
public sealed class MalformedInputTests
{
    // Small seeds are mutated at every value; large ones (the recordings) at a sample of values.
    private const int ExhaustiveUpTo = 300;
    private const int SampledValues = 40;

    private static readonly JsonNode?[] s_replacements =
    [
        null, JsonValue.Create("x"), JsonValue.Create(7), JsonValue.Create(-1), JsonValue.Create(1e300), JsonValue.Create(true),
        new JsonObject(), new JsonArray(), new JsonArray(JsonValue.Create(1)), new JsonObject { ["type"] = "bogus" },
        new JsonArray(new JsonObject { ["type"] = "text" }), new JsonObject { ["type"] = "text", ["text"] = 5 },
        JsonValue.Create("\ud800 lone surrogate"),
    ];

    private static readonly string[] s_anthropicSeeds =
    [
        """{"model":"m","max_tokens":100,"system":[{"type":"text","text":"s","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}]},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"a"},{"type":"tool_use","id":"t1","name":"f","input":{"a":1}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"r"}],"is_error":true}]},{"role":"system","content":"later"}],"tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"strict":true},{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"tool","name":"f"},"thinking":{"type":"enabled","budget_tokens":2048},"output_config":{"effort":"high","format":{"type":"json_schema","schema":{"type":"object"}}},"stop_sequences":["a","b","c","d","e"],"temperature":0.5,"top_p":0.9,"top_k":5,"metadata":{"user_id":"u"},"stream":true}""",
    ];

    private static readonly string[] s_openAISeeds =
    [
        """{"model":"m","n":1,"max_completion_tokens":100,"messages":[{"role":"developer","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0="}}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"c1","content":"r"},{"role":"system","content":[{"type":"text","text":"later"}]}],"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"},"strict":true}}],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"name":"f"}}]}},"parallel_tool_calls":false,"reasoning_effort":"xhigh","response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object"}}},"stop":["x"],"temperature":1.5,"top_p":0.5,"user":"u","stream":true,"stream_options":{"include_usage":true},"seed":1}""",
    ];

    private static readonly string[] s_anthropicResponses =
    [
        """{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"a"},{"type":"tool_use","id":"t","name":"f","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2,"cache_read_input_tokens":3}}""",
    ];

    private static readonly string[] s_openAIResponses =
    [
        """{"id":"c","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a","refusal":null,"reasoning_content":"r","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":1}}}""",
    ];

    [Fact]
    public void AnthropicToOpenAIRequest_MutatedBodies_ThrowOnlyTranslationException()
    {
        var seeds = s_anthropicSeeds.Select(Utf8).Append(ClaudeCodeRecordings.Messages).Append(ClaudeCodeRecordings.ToolResult);
        var checkedCount = 0;
        foreach (var body in Mutations(seeds))
        {
            foreach (var model in (string[])["gpt-4o-mini", "o3"])
            {
                OnlyTranslationErrors(body, () => AnthropicToOpenAIRequest.Translate(body, Context(model)));
            }

            OnlyTranslationErrors(body, () => LocalTokenCounter.Shared.CountAnthropicRequest(body));
            OnlyInspectorErrors(body, () => RequestInspector.Inspect(ApiFormat.Anthropic, body));
            checkedCount++;
        }

        Assert.True(checkedCount > 1000, $"only {checkedCount} bodies were generated");
    }

    [Fact]
    public void OpenAIToAnthropicRequest_MutatedBodies_ThrowOnlyTranslationException()
    {
        var checkedCount = 0;
        foreach (var body in Mutations(s_openAISeeds.Select(Utf8)))
        {
            foreach (var model in (string[])["claude-sonnet-4-5", "claude-opus-4-6"])
            {
                OnlyTranslationErrors(body, () => OpenAIToAnthropicRequest.Translate(body, Context(model)));
            }

            OnlyInspectorErrors(body, () => RequestInspector.Inspect(ApiFormat.OpenAI, body));
            checkedCount++;
        }

        Assert.True(checkedCount > 1000, $"only {checkedCount} bodies were generated");
    }

    [Fact]
    public void ResponseTranslators_MutatedBodies_ThrowOnlyTranslationException()
    {
        foreach (var body in Mutations(s_anthropicResponses.Select(Utf8)))
        {
            OnlyTranslationErrors(body, () => AnthropicToOpenAIResponse.Translate(body, Context("gpt-4o")));
        }

        foreach (var body in Mutations(s_openAIResponses.Select(Utf8)))
        {
            OnlyTranslationErrors(body, () => OpenAIToAnthropicResponse.Translate(body, Context("claude")));
        }
    }

    [Fact]
    public void StreamTranslators_MutatedEvents_NeverThrow()
    {
        foreach (var body in Mutations(s_anthropicResponses.Select(Utf8)))
        {
            var events = $"event: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{Encoding.UTF8.GetString(body)}}}\n\ndata: {Encoding.UTF8.GetString(body)}\n\n";
            var output = RunStream((c, w) => new AnthropicToOpenAIStreamTranslator(c, w), Context("gpt-4o"), [Utf8(events)]);
            Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
        }

        foreach (var body in Mutations(s_openAIResponses.Select(Utf8)))
        {
            var events = $"data: {Encoding.UTF8.GetString(body)}\n\n";
            var output = RunStream((c, w) => new OpenAIToAnthropicStreamTranslator(c, w), Context("claude"), [Utf8(events)]);
            Assert.Contains("message_stop", output, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"thinking":"adaptive"}""", "thinking")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":"auto"}""", "tool_choice")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":1,"content":"hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"video","url":"x"}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"messages":[]}""", "JSON")]
    [InlineData("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"output_config":{"effort":"extreme"}}""", "output_config.effort")]
    public void AnthropicToOpenAIRequest_BadShape_Is400NamingTheField(string body, string field)
    {
        var ex = Assert.Throws<TranslationException>(() => AnthropicToOpenAIRequest.Translate(Utf8(body), Context("o3")));

        Assert.Equal(400, ex.Status);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translators_InvalidUtf8_Are400()
    {
        var body = Utf8("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi XX"}]}""");
        var at = Array.IndexOf(body, (byte)'X');
        body[at] = 0xC3;
        body[at + 1] = 0x28; // a lead byte followed by a non-continuation byte

        Assert.Equal(400, Assert.Throws<TranslationException>(() => AnthropicToOpenAIRequest.Translate(body, Context("gpt-4o"))).Status);
        Assert.Equal(400, Assert.Throws<TranslationException>(() => OpenAIToAnthropicRequest.Translate(body, Context("claude"))).Status);
        Assert.Throws<RequestBodyException>(() => RequestInspector.Inspect(ApiFormat.Anthropic, body));
    }

    private static void OnlyTranslationErrors(byte[] body, Action translate)
    {
        try
        {
            translate();
        }
        catch (TranslationException ex)
        {
            Assert.Equal(400, ex.Status);
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex.GetType().Name}: {ex.Message}\nfor body: {Describe(body)}\n{ex.StackTrace}");
        }
    }

    private static void OnlyInspectorErrors(byte[] body, Action inspect)
    {
        try
        {
            inspect();
        }
        catch (RequestBodyException)
        {
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex.GetType().Name}: {ex.Message}\nfor body: {Describe(body)}");
        }
    }

    private static string Describe(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return text.Length > 600 ? text[..600] + "…" : text;
    }

    /// <summary>
    /// For each seed: every (or, for a large body, a sample of) node replaced by each wrong-kind value, removed and
    /// (in an array) duplicated (<see cref="JsonMutations"/>), then byte-level damage: truncation, invalid UTF-8, a duplicated key.
    /// </summary>
    private static IEnumerable<byte[]> Mutations(IEnumerable<byte[]> seeds)
    {
        var random = new Random(20261201);
        foreach (var seed in seeds)
        {
            yield return seed;
            var root = JsonNode.Parse(seed)!;
            var paths = JsonMutations.Paths(root);
            var sample = paths.Count <= ExhaustiveUpTo
                ? paths
                : [.. Enumerable.Range(0, SampledValues).Select(_ => paths[random.Next(paths.Count)])];

            foreach (var (body, _) in JsonMutations.Mutations(root, sample, s_replacements))
            {
                yield return body;
            }

            for (var i = 0; i < 20; i++)
            {
                yield return seed[..random.Next(seed.Length)];
                var damaged = (byte[])seed.Clone();
                damaged[random.Next(damaged.Length)] = (byte)(0x80 + random.Next(0x80));
                yield return damaged;
            }

            // The first key repeated at the end of the top-level object.
            var text = Encoding.UTF8.GetString(seed);
            yield return Utf8(text[..^1] + ",\"model\":\"again\"}");
        }
    }
}
