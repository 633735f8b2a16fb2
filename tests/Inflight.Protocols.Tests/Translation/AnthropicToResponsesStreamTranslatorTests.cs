using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.ResponsesTestSupport;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class AnthropicToResponsesStreamTranslatorTests
{
    // Shaped like the Messages streaming reference with extended thinking: message_start, ping, a thinking
    // block with signature_delta, a text block, a tool_use block with input_json_delta fragments, a tool_use
    // with empty input, message_delta (stop reason, usage), message_stop.
    private const string Recording = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01Abc","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":20,"cache_read_input_tokens":1000,"output_tokens":2}}}

        event: ping
        data: {"type": "ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants "}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"the weather."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Checking — “weather”."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":" \"Paris\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":3}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    private const string Id = "resp_01Abc";
    private const string Model = "claude-sonnet-4-5-20250929";
    private const string Signature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";

    private static AnthropicToResponsesStreamTranslator Create(TranslationContext ctx, System.Buffers.IBufferWriter<byte> w) => new(ctx, w);

    private static TranslationContext Ctx(List<string>? dropped = null) => Context("claude-sonnet-4-5", dropped);

    [Fact]
    public void Translate_ThinkingTextAndToolUse_GivesTheResponsesEventSequence()
    {
        var output = RunStream(Create, Ctx(), [Utf8(Recording)]);

        var envelope = ThinkingEnvelope.EncodeThinking("The user wants the weather.", Signature);
        var reasoning = """{"id":"rs_01Abc_0","type":"reasoning","summary":[{"type":"summary_text","text":"The user wants the weather."}],"encrypted_content":""" + "\"" + envelope + "\"}";
        var message = """{"id":"msg_01Abc_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Checking — “weather”."}],"role":"assistant"}""";
        var weather = """{"id":"fc_01Abc_2","type":"function_call","status":"completed","arguments":"{\"city\": \"Paris\"}","call_id":"toolu_01T1x","name":"get_weather"}""";
        var time = """{"id":"fc_01Abc_3","type":"function_call","status":"completed","arguments":"{}","call_id":"toolu_02","name":"get_time"}""";
        EventsEqual(
        [
            ("response.created", """{"type":"response.created","sequence_number":0,"response":""" + Response(Id, Model, "in_progress") + "}"),
            ("response.in_progress", """{"type":"response.in_progress","sequence_number":1,"response":""" + Response(Id, Model, "in_progress") + "}"),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_01Abc_0","type":"reasoning","summary":[]}}"""),
            ("response.reasoning_summary_part.added", """{"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_01Abc_0","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}"""),
            ("response.reasoning_summary_text.delta", """{"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_01Abc_0","output_index":0,"summary_index":0,"delta":"The user wants "}"""),
            ("response.reasoning_summary_text.delta", """{"type":"response.reasoning_summary_text.delta","sequence_number":5,"item_id":"rs_01Abc_0","output_index":0,"summary_index":0,"delta":"the weather."}"""),
            ("response.reasoning_summary_text.done", """{"type":"response.reasoning_summary_text.done","sequence_number":6,"item_id":"rs_01Abc_0","output_index":0,"summary_index":0,"text":"The user wants the weather."}"""),
            ("response.reasoning_summary_part.done", """{"type":"response.reasoning_summary_part.done","sequence_number":7,"item_id":"rs_01Abc_0","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"The user wants the weather."}}"""),
            ("response.output_item.done", """{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":""" + reasoning + "}"),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":9,"output_index":1,"item":{"id":"msg_01Abc_1","type":"message","status":"in_progress","content":[],"role":"assistant"}}"""),
            ("response.content_part.added", """{"type":"response.content_part.added","sequence_number":10,"item_id":"msg_01Abc_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}"""),
            ("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":11,"item_id":"msg_01Abc_1","output_index":1,"content_index":0,"delta":"Checking — “weather”.","logprobs":[]}"""),
            ("response.output_text.done", """{"type":"response.output_text.done","sequence_number":12,"item_id":"msg_01Abc_1","output_index":1,"content_index":0,"text":"Checking — “weather”.","logprobs":[]}"""),
            ("response.content_part.done", """{"type":"response.content_part.done","sequence_number":13,"item_id":"msg_01Abc_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Checking — “weather”."}}"""),
            ("response.output_item.done", """{"type":"response.output_item.done","sequence_number":14,"output_index":1,"item":""" + message + "}"),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":15,"output_index":2,"item":{"id":"fc_01Abc_2","type":"function_call","status":"in_progress","arguments":"","call_id":"toolu_01T1x","name":"get_weather"}}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":16,"item_id":"fc_01Abc_2","output_index":2,"delta":"{\"city\":"}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":17,"item_id":"fc_01Abc_2","output_index":2,"delta":" \"Paris\"}"}"""),
            ("response.function_call_arguments.done", """{"type":"response.function_call_arguments.done","sequence_number":18,"item_id":"fc_01Abc_2","output_index":2,"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}"""),
            ("response.output_item.done", """{"type":"response.output_item.done","sequence_number":19,"output_index":2,"item":""" + weather + "}"),
            ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":20,"output_index":3,"item":{"id":"fc_01Abc_3","type":"function_call","status":"in_progress","arguments":"","call_id":"toolu_02","name":"get_time"}}"""),
            ("response.function_call_arguments.delta", """{"type":"response.function_call_arguments.delta","sequence_number":21,"item_id":"fc_01Abc_3","output_index":3,"delta":"{}"}"""),
            ("response.function_call_arguments.done", """{"type":"response.function_call_arguments.done","sequence_number":22,"item_id":"fc_01Abc_3","output_index":3,"name":"get_time","arguments":"{}"}"""),
            ("response.output_item.done", """{"type":"response.output_item.done","sequence_number":23,"output_index":3,"item":""" + time + "}"),
            ("response.completed", """{"type":"response.completed","sequence_number":24,"response":""" +
                Response(Id, Model, "completed", $"[{reasoning},{message},{weather},{time}]", Usage(1492, 1000, 20, 89, 0)) + "}"),
        ],
        output);
    }

    [Fact]
    public void Translate_ThinkingEnvelope_DecodesToTheOriginalSignedBlock()
    {
        var final = FinalResponse(RunStream(Create, Ctx(), [Utf8(Recording)]));

        Assert.True(ThinkingEnvelope.TryDecode(final["output"]![0]!["encrypted_content"]!.GetValue<string>(), out var block));
        Assert.Equal("The user wants the weather.", block.Thinking);
        Assert.Equal(Signature, block.Signature);
    }

    [Fact]
    public void Translate_SplitAtEveryByteBoundary_GivesIdenticalOutput()
    {
        var expected = RunStream(Create, Ctx(), [Utf8(Recording)]);

        AssertSplitInvariant(Create, () => Ctx(), Recording, expected);
    }

    [Fact]
    public void Translate_RedactedThinking_BecomesReasoningWithEnvelopeAndNoSummary()
    {
        var upstream = Recording.Replace(
            """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"}}""",
            StringComparison.Ordinal);
        upstream = string.Join("\n\n", upstream.Split("\n\n").Where(e => !e.Contains("\"index\":0,\"delta\"", StringComparison.Ordinal)));

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var reasoning = FinalResponse(output)["output"]![0]!;
        Assert.Empty(reasoning["summary"]!.AsArray());
        Assert.True(ThinkingEnvelope.TryDecode(reasoning["encrypted_content"]!.GetValue<string>(), out var block));
        Assert.Equal("EmwKAhgBEgy3va3pzix", block.RedactedData);
        Assert.DoesNotContain("response.reasoning_summary_part.added", Types(output));
    }

    [Fact]
    public void Translate_ConsecutiveTextBlocks_ShareOneOutputTextPart()
    {
        var upstream = """
            data: {"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":5,"output_tokens":1}}}

            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"See "}}

            data: {"type":"content_block_stop","index":0}

            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"the docs."}}

            data: {"type":"content_block_stop","index":1}

            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}

            data: {"type":"message_stop"}


            """;

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var final = FinalResponse(output);
        JsonEqual("""[{"type":"output_text","annotations":[],"logprobs":[],"text":"See the docs."}]""", Utf8(final["output"]![0]!["content"]!.ToJsonString()));
        JsonEqual(Usage(5, 0, 0, 7, 0), Utf8(final["usage"]!.ToJsonString()));
    }

    [Theory]
    [InlineData("max_tokens", "max_output_tokens")]
    [InlineData("model_context_window_exceeded", "max_output_tokens")]
    [InlineData("refusal", "content_filter")]
    public void Translate_StopReason_EndsAsIncomplete(string stopReason, string reason)
    {
        var upstream = Recording.Replace("\"stop_reason\":\"tool_use\"", $"\"stop_reason\":\"{stopReason}\"", StringComparison.Ordinal);

        var final = AssertWellFormed(RunStream(Create, Ctx(), [Utf8(upstream)]))[^1];

        Assert.Equal("response.incomplete", final["type"]!.GetValue<string>());
        Assert.Equal(reason, final["response"]!["incomplete_details"]!["reason"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("end_turn")]
    [InlineData("stop_sequence")]
    [InlineData("pause_turn")]
    public void Translate_StopReason_EndsAsCompleted(string stopReason)
    {
        var upstream = Recording.Replace("\"stop_reason\":\"tool_use\"", $"\"stop_reason\":\"{stopReason}\"", StringComparison.Ordinal);

        Assert.Equal("response.completed", Types(RunStream(Create, Ctx(), [Utf8(upstream)]))[^1]);
    }

    [Fact]
    public void Translate_PromptTooLongErrorEvent_FailsWithContextLengthExceeded()
    {
        var upstream = Recording[..Recording.IndexOf("event: content_block_start", StringComparison.Ordinal)] +
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"prompt is too long: 210000 tokens > 200000 maximum\"}}\n\n";

        var final = AssertWellFormed(RunStream(Create, Ctx(), [Utf8(upstream)]))[^1];

        Assert.Equal("response.failed", final["type"]!.GetValue<string>());
        JsonEqual("""{"code":"context_length_exceeded","message":"prompt is too long: 210000 tokens > 200000 maximum"}""", Utf8(final["response"]!["error"]!.ToJsonString()));
    }

    [Fact]
    public void Translate_OverloadedErrorEvent_FailsWithServerIsOverloaded()
    {
        var upstream = Recording[..Recording.IndexOf("Paris", StringComparison.Ordinal)];
        upstream = upstream[..upstream.LastIndexOf("event:", StringComparison.Ordinal)] +
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var final = FinalResponse(output);
        JsonEqual("""{"code":"server_is_overloaded","message":"Overloaded"}""", Utf8(final["error"]!.ToJsonString()));
        var call = final["output"]![2]!;
        Assert.Equal("incomplete", call["status"]!.GetValue<string>());
        Assert.Equal("{\"city\":", call["arguments"]!.GetValue<string>());
    }

    [Fact]
    public void Complete_UpstreamCutOffBeforeStopReason_EndsAsFailed()
    {
        var upstream = Recording[..Recording.IndexOf("event: message_delta", StringComparison.Ordinal)];

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        Assert.Equal("response.failed", Types(output)[^1]);
        Assert.Equal("server_error", FinalResponse(output)["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void Translate_NamespacedTool_MapsTheUpstreamNameBack()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["get_weather"] = new ClientToolName("forecast", "weather") };

        var final = FinalResponse(RunStream(Create, ctx, [Utf8(Recording)]));

        Assert.Equal("forecast", final["output"]![2]!["name"]!.GetValue<string>());
        Assert.Equal("weather", final["output"]![2]!["namespace"]!.GetValue<string>());
        Assert.Null(final["output"]![3]!["namespace"]);
    }

    [Fact]
    public void Translate_ThinkingWithoutSignature_IsKeptAsSummaryAndRecorded()
    {
        var dropped = new List<string>();
        var upstream = string.Join("\n\n", Recording.Split("\n\n").Where(e => !e.Contains("signature_delta", StringComparison.Ordinal)));

        var final = FinalResponse(RunStream(Create, Ctx(dropped), [Utf8(upstream)]));

        Assert.Null(final["output"]![0]!["encrypted_content"]);
        Assert.Contains("thinking block without a signature (cannot be sent back to the provider)", dropped);
    }

    [Fact]
    public void Translate_UnknownBlocks_AreDroppedAndRecorded()
    {
        var dropped = new List<string>();
        var upstream = Recording.Replace(
            "event: message_delta",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":4,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{}}}\n\nevent: message_delta",
            StringComparison.Ordinal);

        var output = RunStream(Create, Ctx(dropped), [Utf8(upstream)]);

        Assert.Equal("response.completed", Types(output)[^1]);
        Assert.Contains("stream content block server_tool_use", dropped);
    }

    [Fact]
    public void Translate_CustomTool_StreamsItsInputWhenTheCallCloses()
    {
        var ctx = Ctx();
        ctx.ToolNamesForClient = new() { ["get_weather"] = new ClientToolName("weather", null) { Kind = ClientToolKind.Custom } };
        var upstream = Recording.Replace("{\\\"city\\\":", "{\\\"input\\\":", StringComparison.Ordinal);

        var output = RunStream(Create, ctx, [Utf8(upstream)]);

        var events = AssertWellFormed(output);
        var done = events.Single(e => e["type"]!.GetValue<string>() == "response.custom_tool_call_input.done");
        Assert.Equal("Paris", done["input"]!.GetValue<string>());
        Assert.Equal("fc_01Abc_3", FinalResponse(output)["output"]![3]!["id"]!.GetValue<string>());
        Assert.Equal("ctc_01Abc_2", done["item_id"]!.GetValue<string>());
        Assert.DoesNotContain(events, e => e["type"]!.GetValue<string>() == "response.function_call_arguments.delta" && e["output_index"]!.GetValue<int>() == 2);
    }
}
