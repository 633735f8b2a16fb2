using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesTestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class OpenAIToResponsesResponseTests
{
    private static TranslationContext Ctx(List<string>? dropped = null) => Context("gpt-4.1", dropped);

    [Fact]
    public void Translate_TextAndParallelToolCalls_GivesAResponseObject()
    {
        var completion = """
            {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4.1-2025-04-14",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Checking both.","refusal":null,"annotations":[],
               "tool_calls":[
                 {"id":"call_A","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                 {"id":"call_B","type":"function","function":{"name":"get_time","arguments":""}}]},
               "logprobs":null,"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,
               "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":12,"audio_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}
            """;

        var output = OpenAIToResponsesResponse.Translate(Utf8(completion), Ctx());

        JsonEqual(
            Response(
                "resp_B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
                "gpt-4.1-2025-04-14",
                "completed",
                """
                [{"id":"msg_B9MHDbslfkBeAs8l4bebGdFOJ6PeG_0","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Checking both."}],"role":"assistant"},
                 {"id":"fc_B9MHDbslfkBeAs8l4bebGdFOJ6PeG_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_A","name":"get_weather"},
                 {"id":"fc_B9MHDbslfkBeAs8l4bebGdFOJ6PeG_2","type":"function_call","status":"completed","arguments":"{}","call_id":"call_B","name":"get_time"}]
                """,
                Usage(1117, 1024, 0, 46, 12)),
            output);
    }

    [Fact]
    public void Translate_ReasoningContent_BecomesAReasoningItemFirst()
    {
        var completion = """
            {"id":"chatcmpl-1","model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"Two plus two.","content":"4"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":10,"completion_tokens":20,"prompt_cache_hit_tokens":6,"completion_tokens_details":{"reasoning_tokens":15}}}
            """;

        var output = OpenAIToResponsesResponse.Translate(Utf8(completion), Ctx());

        var response = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        JsonEqual("""{"id":"rs_1_0","type":"reasoning","summary":[{"type":"summary_text","text":"Two plus two."}]}""", Utf8(response["output"]![0]!.ToJsonString()));
        Assert.Equal("4", response["output"]![1]!["content"]![0]!["text"]!.GetValue<string>());
        JsonEqual(Usage(10, 6, 0, 20, 15), Utf8(response["usage"]!.ToJsonString()));
    }

    [Fact]
    public void Translate_FinishReasonLength_IsIncompleteWithMaxOutputTokens()
    {
        var completion = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Once upon"},"finish_reason":"length"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(OpenAIToResponsesResponse.Translate(Utf8(completion), Ctx()))!;

        Assert.Equal("incomplete", response["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", response["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Equal("incomplete", response["output"]![0]!["status"]!.GetValue<string>());
        Assert.Null(response["usage"]);
    }

    [Fact]
    public void Translate_Refusal_BecomesARefusalPart()
    {
        var completion = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(OpenAIToResponsesResponse.Translate(Utf8(completion), Ctx()))!;

        JsonEqual("""[{"type":"refusal","refusal":"I can't help with that."}]""", Utf8(response["output"]![0]!["content"]!.ToJsonString()));
    }

    [Fact]
    public void Translate_ContentFilter_IsIncompleteWithContentFilter()
    {
        var completion = """{"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"content_filter"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(OpenAIToResponsesResponse.Translate(Utf8(completion), Ctx()))!;

        Assert.Equal("content_filter", response["incomplete_details"]!["reason"]!.GetValue<string>());
        Assert.Empty(response["output"]!.AsArray());
    }

    [Fact]
    public void Translate_NamespacedToolAndResponseModel_AreMappedForTheClient()
    {
        var ctx = new TranslationContext
        {
            Model = "gpt-4.1",
            ResponseModel = "openai:gpt-4.1",
            TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)),
            ToolNamesForClient = new() { ["crm__lookup"] = new ClientToolName("lookup", "crm") },
        };
        var completion = """{"id":"chatcmpl-1","model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"crm__lookup","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}""";

        var response = System.Text.Json.Nodes.JsonNode.Parse(OpenAIToResponsesResponse.Translate(Utf8(completion), ctx))!;

        Assert.Equal("openai:gpt-4.1", response["model"]!.GetValue<string>());
        JsonEqual(
            """{"id":"fc_1_0","type":"function_call","status":"completed","arguments":"{}","call_id":"call_1","name":"lookup","namespace":"crm"}""",
            Utf8(response["output"]![0]!.ToJsonString()));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Translate_BodyThatIsNotAnObject_ThrowsTranslationException(string body)
    {
        var ex = Assert.Throws<TranslationException>(() => OpenAIToResponsesResponse.Translate(Utf8(body), Ctx()));

        Assert.Contains("upstream response", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_CustomToolCalls_ReadTheirInputFromTheArguments()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["apply_patch"] = new ClientToolName("apply_patch", null) { Kind = ClientToolKind.Custom } };
        var completion = """
            {"id":"chatcmpl-1","model":"m","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[
              {"id":"call_1","type":"function","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin Patch\\n\"}"}},
              {"id":"call_2","type":"function","function":{"name":"apply_patch","arguments":""}}]},"finish_reason":"tool_calls"}]}
            """;

        var output = System.Text.Json.Nodes.JsonNode.Parse(OpenAIToResponsesResponse.Translate(Utf8(completion), ctx))!["output"]!;

        JsonEqual(
            """{"id":"ctc_1_0","type":"custom_tool_call","status":"completed","call_id":"call_1","name":"apply_patch","input":"*** Begin Patch\n"}""",
            Utf8(output[0]!.ToJsonString()));
        Assert.Equal("", output[1]!["input"]!.GetValue<string>());
    }
}
