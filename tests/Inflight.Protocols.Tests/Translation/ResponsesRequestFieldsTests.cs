using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesRequestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class ResponsesRequestFieldsTests
{
    /// <summary>A valid value for every top-level field of a Responses request (the API reference's list, plus Codex's client_metadata).</summary>
    private static readonly Dictionary<string, string> s_samples = new(StringComparer.Ordinal)
    {
        ["model"] = "\"m\"",
        ["input"] = "\"Hi\"",
        ["instructions"] = "\"Be brief.\"",
        ["stream"] = "true",
        ["tools"] = """[{"type":"function","name":"a"}]""",
        ["tool_choice"] = "\"auto\"",
        ["parallel_tool_calls"] = "true",
        ["text"] = """{"format":{"type":"text"}}""",
        ["reasoning"] = """{"effort":"low"}""",
        ["max_output_tokens"] = "10",
        ["temperature"] = "0.5",
        ["top_p"] = "0.5",
        ["user"] = "\"u\"",
        ["safety_identifier"] = "\"s\"",
        ["store"] = "false",
        ["include"] = "[]",
        ["truncation"] = "\"disabled\"",
        ["background"] = "false",
        ["metadata"] = """{"a":"b"}""",
        ["prompt_cache_key"] = "\"k\"",
        ["prompt_cache_retention"] = "\"24h\"",
        ["service_tier"] = "\"auto\"",
        ["top_logprobs"] = "2",
        ["max_tool_calls"] = "3",
        ["stream_options"] = """{"include_obfuscation":false}""",
        ["context_management"] = """[{"type":"compaction","compact_threshold":1000}]""",
        ["client_metadata"] = """{"a":"b"}""",
        ["previous_response_id"] = "\"resp_1\"",
        ["conversation"] = "\"conv_1\"",
        ["prompt"] = """{"id":"pmpt_1"}""",
    };

    [Fact]
    public void Policy_CoversEveryDocumentedField()
        => Assert.Equal(s_samples.Keys.Order(StringComparer.Ordinal), ResponsesRequestFields.Policy.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [InlineData(false, "gpt-5.5")]
    [InlineData(true, "claude-sonnet-4-6")]
    public void Translate_EachField_HandledAsThePolicySays(bool anthropic, string model)
    {
        foreach (var (name, (toChat, toAnthropic, _)) in ResponsesRequestFields.Policy)
        {
            var body = JsonNode.Parse("""{"model":"m","input":"Hi"}""")!.AsObject();
            body[name] = JsonNode.Parse(s_samples[name]);
            var dropped = new List<string>();
            var ctx = NotesContext(model, dropped);
            var bytes = Utf8(body.ToJsonString());

            switch (anthropic ? toAnthropic : toChat)
            {
                case FieldRule.Refused:
                    var ex = Assert.Throws<TranslationException>(() => Run(bytes, ctx, anthropic));
                    Assert.Equal(400, ex.Status);
                    Assert.StartsWith(name + ":", ex.Message, StringComparison.Ordinal);
                    break;
                case FieldRule.Dropped:
                    Run(bytes, ctx, anthropic);
                    Assert.Equal([$"dropped: {name}"], dropped);
                    break;
                default:
                    Run(bytes, ctx, anthropic);
                    Assert.DoesNotContain(dropped, d => d == $"dropped: {name}" || d.StartsWith("dropped: unknown field", StringComparison.Ordinal));
                    break;
            }
        }
    }

    [Fact]
    public void Flatten_ShortValidName_JoinsWithDoubleUnderscore()
        => Assert.Equal("crm__lookup", ResponsesTools.Flatten("crm", "lookup", null));

    [Fact]
    public void Flatten_LongOrInvalidName_ValidDeterministicAndDistinct()
    {
        var ns = "mcp__" + new string('s', 50);
        var a = ResponsesTools.Flatten(ns, "read_file", null);
        var b = ResponsesTools.Flatten(ns, "read_dir", null);
        var dotted = ResponsesTools.Flatten("my.server", "get item", null);

        foreach (var name in new[] { a, b, dotted })
        {
            Assert.InRange(name.Length, 1, 64);
            Assert.Matches("^[A-Za-z0-9_-]+$", name);
        }

        Assert.NotEqual(a, b);
        Assert.Equal(a, ResponsesTools.Flatten(ns, "read_file", null));
        Assert.StartsWith("my_server__get_item_", dotted, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_NamespaceNameCollidesWithFlatTool_NamespaceToolRenamed()
    {
        var body = """{"model":"m","input":"Hi","tools":[{"type":"function","name":"crm__lookup"},{"type":"namespace","name":"crm","tools":[{"type":"function","name":"lookup"}]}]}""";
        var ctx = Context("gpt-4.1");

        var result = JsonNode.Parse(ResponsesToOpenAIRequest.Translate(Utf8(body), ctx))!;

        var names = result["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()).ToList();
        Assert.Equal("crm__lookup", names[0]);
        Assert.StartsWith("crm__lookup_", names[1], StringComparison.Ordinal);
        Assert.Equal(new ClientToolName("lookup", "crm"), ctx.ToolNamesForClient![names[1]]);
    }

    private static byte[] Run(byte[] body, TranslationContext ctx, bool anthropic)
        => anthropic ? ResponsesToAnthropicRequest.Translate(body, ctx) : ResponsesToOpenAIRequest.Translate(body, ctx);
}
