using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesTestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class OpenAIToResponsesStreamTranslatorTests
{
    private const string Head = """{"id":"chatcmpl-abc123","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","system_fingerprint":"fp_1",""";

    private static string Chunk(string delta, string finish = "null")
        => "data: " + Head + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + finish + "}]}\n\n";

    private const string UsageChunk = "data: " + Head + """
        "choices":[],"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":100},"completion_tokens_details":{"reasoning_tokens":5}}}


        """;

    // A Chat stream like the API reference's: role chunk, text, two parallel tool calls (the second with its
    // arguments in the first fragment), the finish_reason chunk, the include_usage chunk, [DONE].
    private static readonly string Recording =
        Chunk("""{"role":"assistant","content":"","refusal":null}""") +
        Chunk("""{"content":"Let me check — “weather”."}""") +
        Chunk("""{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"get_weather","arguments":""}}]}""") +
        Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}""") +
        Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]}""") +
        Chunk("""{"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"get_time","arguments":"{}"}}]}""") +
        Chunk("{}", "\"tool_calls\"") +
        UsageChunk +
        "data: [DONE]\n\n";

    private const string Id = "resp_abc123";
    private const string Model = "gpt-4.1";

    private static OpenAIToResponsesStreamTranslator Create(TranslationContext ctx, System.Buffers.IBufferWriter<byte> w) => new(ctx, w);

    private static TranslationContext Ctx(List<string>? dropped = null) => Context("gpt-4.1", dropped);

    [Fact]
    public void Translate_TextAndParallelToolCalls_GivesTheResponsesEventSequence()
    {
        var output = RunStream(Create, Ctx(), [Utf8(Recording)]);

        const string Text = "Let me check — “weather”.";
        var message = $$$"""{"id":"msg_abc123_0","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"{{{Text}}}"}],"role":"assistant"}""";
        var weather = """{"id":"fc_abc123_1","type":"function_call","status":"completed","arguments":"{\"city\":\"Paris\"}","call_id":"call_A","name":"get_weather"}""";
        var time = """{"id":"fc_abc123_2","type":"function_call","status":"completed","arguments":"{}","call_id":"call_B","name":"get_time"}""";
        EventsEqual(
        [
            ("response.created", $$$"""{"type":"response.created","sequence_number":0,"response":{{{Response(Id, Model, "in_progress")}}}}"""),
            ("response.in_progress", $$$"""{"type":"response.in_progress","sequence_number":1,"response":{{{Response(Id, Model, "in_progress")}}}}"""),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_abc123_0","type":"message","status":"in_progress","content":[],"role":"assistant"}}"""),
            ("response.content_part.added", """{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_abc123_0","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}"""),
            ("response.output_text.delta", $$$"""{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_abc123_0","output_index":0,"content_index":0,"delta":"{{{Text}}}","logprobs":[]}"""),
            ("response.output_text.done", $$$"""{"type":"response.output_text.done","sequence_number":5,"item_id":"msg_abc123_0","output_index":0,"content_index":0,"text":"{{{Text}}}","logprobs":[]}"""),
            ("response.content_part.done", $$$"""{"type":"response.content_part.done","sequence_number":6,"item_id":"msg_abc123_0","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"{{{Text}}}"}}"""),
            ("response.output_item.done", $$$"""{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{{{message}}}}"""),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":8,"output_index":1,"item":{"id":"fc_abc123_1","type":"function_call","status":"in_progress","arguments":"","call_id":"call_A","name":"get_weather"}}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":9,"item_id":"fc_abc123_1","output_index":1,"delta":"{\"city\":"}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":10,"item_id":"fc_abc123_1","output_index":1,"delta":"\"Paris\"}"}"""),
            ("response.function_call_arguments.done", """{"type":"response.function_call_arguments.done","sequence_number":11,"item_id":"fc_abc123_1","output_index":1,"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}"""),
            ("response.output_item.done", $$$"""{"type":"response.output_item.done","sequence_number":12,"output_index":1,"item":{{{weather}}}}"""),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":13,"output_index":2,"item":{"id":"fc_abc123_2","type":"function_call","status":"in_progress","arguments":"","call_id":"call_B","name":"get_time"}}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":14,"item_id":"fc_abc123_2","output_index":2,"delta":"{}"}"""),
            ("response.function_call_arguments.done", """{"type":"response.function_call_arguments.done","sequence_number":15,"item_id":"fc_abc123_2","output_index":2,"name":"get_time","arguments":"{}"}"""),
            ("response.output_item.done", $$$"""{"type":"response.output_item.done","sequence_number":16,"output_index":2,"item":{{{time}}}}"""),
            ("response.completed", """{"type":"response.completed","sequence_number":17,"response":""" + Response(Id, Model, "completed", $"[{message},{weather},{time}]", Usage(120, 100, 0, 30, 5)) + "}"),
        ],
        output);
    }

    [Fact]
    public void Translate_SplitAtEveryByteBoundary_GivesIdenticalOutput()
    {
        var upstream = Chunk("""{"reasoning_content":"Think é"}""") + Recording;
        var expected = RunStream(Create, Ctx(), [Utf8(upstream)]);

        AssertSplitInvariant(Create, () => Ctx(), upstream, expected);
    }

    [Fact]
    public void Translate_ReasoningContent_BecomesReasoningItemWithSummaryAndNoEncryptedContent()
    {
        var upstream = Chunk("""{"role":"assistant","reasoning_content":"Let me "}""") + Chunk("""{"reasoning_content":"think."}""") +
            Chunk("""{"content":"Done."}""") + Chunk("{}", "\"stop\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        Assert.Equal(
        [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
            "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed",
        ],
        Types(output));
        var events = AssertWellFormed(output);
        JsonEqual("""{"type":"response.reasoning_summary_text.done","sequence_number":6,"item_id":"rs_abc123_0","output_index":0,"summary_index":0,"text":"Let me think."}""", Utf8(events[6].ToJsonString()));
        JsonEqual("""{"id":"rs_abc123_0","type":"reasoning","summary":[{"type":"summary_text","text":"Let me think."}]}""", Utf8(events[8]["item"]!.ToJsonString()));
        Assert.Equal("Done.", FinalResponse(output)["output"]![1]!["content"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_FinishReasonLength_EndsAsIncompleteWithMaxOutputTokens()
    {
        var upstream = Chunk("""{"content":"Once upon"}""") + Chunk("{}", "\"length\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var final = AssertWellFormed(output)[^1];
        Assert.Equal("response.incomplete", final["type"]!.GetValue<string>());
        JsonEqual("""{"reason":"max_output_tokens"}""", Utf8(final["response"]!["incomplete_details"]!.ToJsonString()));
        Assert.Equal("incomplete", final["response"]!["status"]!.GetValue<string>());
        Assert.Equal("incomplete", final["response"]!["output"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_Refusal_BecomesRefusalContentPart()
    {
        var upstream = Chunk("""{"refusal":"I can't "}""") + Chunk("""{"refusal":"help with that."}""") + Chunk("{}", "\"stop\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var types = Types(output);
        Assert.Contains("response.refusal.delta", types);
        Assert.Contains("response.refusal.done", types);
        var final = FinalResponse(output);
        Assert.Equal("completed", final["status"]!.GetValue<string>());
        JsonEqual("""[{"type":"refusal","refusal":"I can't help with that."}]""", Utf8(final["output"]![0]!["content"]!.ToJsonString()));
    }

    [Fact]
    public void Translate_NamespacedTool_MapsTheUpstreamNameBackToNameAndNamespace()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["crm__lookup"] = new ClientToolName("lookup", "crm") };
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"crm__lookup","arguments":"{\"q\":1}"}}]}""") +
            Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, ctx, [Utf8(upstream)]);

        var events = AssertWellFormed(output);
        JsonEqual(
            """{"id":"fc_abc123_0","type":"function_call","status":"completed","arguments":"{\"q\":1}","call_id":"call_1","name":"lookup","namespace":"crm"}""",
            Utf8(FinalResponse(output)["output"]![0]!.ToJsonString()));
        Assert.Equal("lookup", events.Single(e => e["type"]!.GetValue<string>() == "response.function_call_arguments.done")["name"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_ParallelCallsAllAtIndexZero_AreSeparatedByTheirIds()
    {
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{}"}}]}""") +
            Chunk("""{"tool_calls":[{"index":0,"id":"call_2","type":"function","function":{"name":"b","arguments":"{\"x\":2}"}}]}""") +
            Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var final = FinalResponse(RunStream(Create, Ctx(), [Utf8(upstream)]));

        var output = final["output"]!.AsArray();
        Assert.Equal(["call_1", "call_2"], output.Select(o => o!["call_id"]!.GetValue<string>()));
        Assert.Equal(["{}", "{\"x\":2}"], output.Select(o => o!["arguments"]!.GetValue<string>()));
    }

    [Fact]
    public void Translate_ErrorChunkMidStream_EndsAsFailedWithTheErrorCode()
    {
        var upstream = Chunk("""{"content":"Hel"}""") +
            "data: {\"error\":{\"message\":\"This model's maximum context length is 8192 tokens\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}\n\n" +
            Chunk("""{"content":"ignored"}""");

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var final = AssertWellFormed(output)[^1];
        Assert.Equal("response.failed", final["type"]!.GetValue<string>());
        Assert.Equal("failed", final["response"]!["status"]!.GetValue<string>());
        JsonEqual("""{"code":"context_length_exceeded","message":"This model's maximum context length is 8192 tokens"}""", Utf8(final["response"]!["error"]!.ToJsonString()));
        Assert.Equal("incomplete", final["response"]!["output"]![0]!["status"]!.GetValue<string>());
        Assert.DoesNotContain("ignored", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Complete_UpstreamCutOffBeforeFinish_EndsAsFailed()
    {
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{\"cmd\":"}}]}""");

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var types = Types(output);
        Assert.Equal("response.failed", types[^1]);
        Assert.DoesNotContain("response.output_item.done", types);
        Assert.Equal("server_error", FinalResponse(output)["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void Complete_DoneWithoutFinishReason_CompletesAndRecordsIt()
    {
        var dropped = new List<string>();
        var upstream = Chunk("""{"content":"Hi"}""") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(dropped), [Utf8(upstream)]);

        Assert.Equal("response.completed", Types(output)[^1]);
        Assert.Contains("upstream stream ended without finish_reason; closed as completed", dropped);
    }

    [Fact]
    public void Translate_WithoutUsageChunk_ReportsNullUsage()
    {
        var upstream = Chunk("""{"content":"Hi"}""") + Chunk("{}", "\"stop\"") + "data: [DONE]\n\n";

        Assert.Null(FinalResponse(RunStream(Create, Ctx(), [Utf8(upstream)]))["usage"]);
    }

    [Fact]
    public void WriteError_BeforeAnyUpstreamData_StartsAndFailsTheResponse()
    {
        var output = RunStream(Create, Ctx(), [], t => t.WriteError("rate_limit_error", "Slow down."));

        Assert.Equal(["response.created", "response.in_progress", "response.failed"], Types(output));
        JsonEqual("""{"code":"rate_limit_exceeded","message":"Slow down."}""", Utf8(FinalResponse(output)["error"]!.ToJsonString()));
    }

    [Fact]
    public void WritePing_WritesAnSseComment()
    {
        var output = RunStream(Create, Ctx(), [Utf8(Chunk("""{"content":"Hi"}"""))], t => t.WritePing());

        Assert.Contains("\n\n: ping\n\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_InterleavedFragmentForAClosedCall_IsDroppedAndRecorded()
    {
        var dropped = new List<string>();
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"a","arguments":"{"}}]}""") +
            Chunk("""{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"b","arguments":"{}"}}]}""") +
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}""") +
            Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(dropped), [Utf8(upstream)]);

        Assert.Equal("response.completed", Types(output)[^1]);
        Assert.Contains("tool-call argument fragment after the call was closed (interleaved parallel calls)", dropped);
    }

    [Fact]
    public void Translate_MalformedChunks_AreSkippedAndReported()
    {
        var dropped = new List<string>();
        var upstream = "data: not json\n\n" + Chunk("""{"content":5}""") + Recording;

        var output = RunStream(Create, Ctx(dropped), [Utf8(upstream)]);

        Assert.Equal("response.completed", Types(output)[^1]);
        Assert.Contains("malformed upstream stream chunk", dropped);
    }

    [Fact]
    public void Translate_CustomToolCall_BecomesCustomToolCallWithTheFreeformInput()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["apply_patch"] = new ClientToolName("apply_patch", null) { Kind = ClientToolKind.Custom } };
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_P","type":"function","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin"}}]}""") +
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":" Patch\\n\"}"}}]}""") +
            Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, ctx, [Utf8(upstream)]);

        var events = AssertWellFormed(output);
        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added",
            "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done", "response.output_item.done", "response.completed",
        ],
        events.Select(e => e["type"]!.GetValue<string>()));
        JsonEqual("""{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"ctc_abc123_0","type":"custom_tool_call","status":"in_progress","call_id":"call_P","name":"apply_patch","input":""}}""", Utf8(events[2].ToJsonString()));
        JsonEqual("""{"type":"response.custom_tool_call_input.done","sequence_number":4,"item_id":"ctc_abc123_0","output_index":0,"input":"*** Begin Patch\n"}""", Utf8(events[4].ToJsonString()));
        JsonEqual(
            """{"id":"ctc_abc123_0","type":"custom_tool_call","status":"completed","call_id":"call_P","name":"apply_patch","input":"*** Begin Patch\n"}""",
            Utf8(FinalResponse(output)["output"]![0]!.ToJsonString()));
    }

    [Fact]
    public void Translate_CustomToolCallWithOtherArguments_PassesThemWholeAndRecordsIt()
    {
        var dropped = new List<string>();
        var ctx = Ctx(dropped);
        ctx.ToolNamesForClient = new() { ["apply_patch"] = new ClientToolName("apply_patch", null) { Kind = ClientToolKind.Custom } };
        var upstream = Chunk("""{"tool_calls":[{"index":0,"id":"call_P","type":"function","function":{"name":"apply_patch","arguments":"{\"patch\":1}"}}]}""") +
            Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var final = FinalResponse(RunStream(Create, ctx, [Utf8(upstream)]));

        Assert.Equal("{\"patch\":1}", final["output"]![0]!["input"]!.GetValue<string>());
        Assert.Contains("custom tool call arguments that were not {\"input\": string}, passed whole as the input", dropped);
    }
}
