using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class OpenAIToAnthropicStreamTranslatorTests
{
    private const string Head = """{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":""";

    // A recording shaped like OpenAI's: role chunk, text, two parallel tool calls with argument
    // fragments, finish chunk, then the include_usage chunk (choices: []) and [DONE].
    private static readonly string s_textAndParallelTools =
        Chunk("""{"role":"assistant","content":"","refusal":null}""") +
        Chunk("""{"content":"Let me check "}""") +
        Chunk("""{"content":"both — \"quoted\"."}""") +
        Chunk("""{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]}""") +
        Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}""") +
        Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ation\":\"Paris\"}"}}]}""") +
        Chunk("""{"tool_calls":[{"index":1,"id":"call_def","type":"function","function":{"name":"get_time","arguments":""}}]}""") +
        Chunk("""{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":\"CET\"}"}}]}""") +
        Chunk("{}", "\"tool_calls\"") +
        """data: {"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741569952,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":40,"total_tokens":160,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}""" + "\n\n" +
        "data: [DONE]\n\n";

    private static string Chunk(string delta, string finish = "null")
        => "data: " + Head + delta + ""","logprobs":null,"finish_reason":""" + finish + """}],"usage":null}""" + "\n\n";

    private static TranslationContext Ctx() => Context("gpt-4o", estimatedInput: 118);

    private static OpenAIToAnthropicStreamTranslator Create(TranslationContext ctx, System.Buffers.IBufferWriter<byte> w) => new(ctx, w);

    [Fact]
    public void Translate_TextAndParallelToolCalls_GivesAnthropicEventSequence()
    {
        var output = RunStream(Create, Ctx(), [Utf8(s_textAndParallelTools)]);

        EventsEqual(
        [
            ("message_start", """{"type":"message_start","message":{"id":"msg_B9MBs8CjcvOU2jLn4n570S5qMJKcT","type":"message","role":"assistant","model":"gpt-4o-2024-08-06","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":118,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check "}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"both — \"quoted\"."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_abc","name":"get_weather","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"loc"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ation\":\"Paris\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_def","name":"get_time","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"tz\":\"CET\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":2}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":56,"cache_read_input_tokens":64,"output_tokens":40}}"""),
            ("message_stop", """{"type":"message_stop"}"""),
        ],
        output);
    }

    [Fact]
    public void Translate_SplitAtEveryByteBoundary_GivesIdenticalOutput()
    {
        var expected = RunStream(Create, Ctx(), [Utf8(s_textAndParallelTools)]);

        AssertSplitInvariant(Create, Ctx, s_textAndParallelTools, expected);
    }

    [Fact]
    public void Translate_TextOnlyWithCrlfAndLengthFinish_GivesMaxTokens()
    {
        var upstream = (Chunk("""{"role":"assistant","content":""}""") + Chunk("""{"content":"Hi"}""") + Chunk("{}", "\"length\"") + "data: [DONE]\n\n").Replace("\n", "\r\n", StringComparison.Ordinal);

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var events = Events(output);
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], events.Select(e => e.Event));
        Assert.Contains("\"stop_reason\":\"max_tokens\"", events[4].Data, StringComparison.Ordinal);

        // No usage from the provider: an estimate, never 0.
        Assert.Contains("\"output_tokens\":1", events[4].Data, StringComparison.Ordinal);
        AssertSplitInvariant(Create, Ctx, upstream, output);
    }

    [Fact]
    public void Translate_ToolCallWithWholeArgumentsInFirstChunk_EmitsStartThenDelta()
    {
        var upstream = Chunk("""{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]}""") + Chunk("{}", "\"tool_calls\"") + "data: [DONE]\n\n";

        var events = Events(RunStream(Create, Ctx(), [Utf8(upstream)]));

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], events.Select(e => e.Event));
        Assert.Contains("\"partial_json\":\"{\\\"a\\\":1}\"", events[2].Data, StringComparison.Ordinal);
    }

    [Fact]
    public void WritePing_BeforeFirstChunk_StartsTheMessageWithTheEstimateThenPings()
    {
        var output = RunStream(Create, Ctx(), [], t =>
        {
            t.WritePing();
            t.WritePing();
        });

        var events = Events(output);
        Assert.Equal(["message_start", "ping", "ping", "message_delta", "message_stop"], events.Select(e => e.Event));
        Assert.Contains("\"input_tokens\":118", events[0].Data, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"gpt-4o\"", events[0].Data, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageStart_NoEstimate_ReportsAtLeastOneInputToken()
    {
        var output = RunStream(Create, Context("gpt-4o"), [Utf8(Chunk("""{"content":"x"}"""))]);

        Assert.Contains("\"input_tokens\":1,", Events(output)[0].Data, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteError_MidStream_ClosesTheBlocklessStreamWithAnErrorEvent()
    {
        var output = RunStream(Create, Ctx(), [Utf8(Chunk("""{"content":"partial"}"""))], t => t.WriteError("overloaded_error", "Upstream overloaded"));

        var events = Events(output);
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "error"], events.Select(e => e.Event));
        EventsEqual([events[0], events[1], events[2], ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Upstream overloaded"}}""")], output);
    }

    [Fact]
    public void Translate_ErrorObjectInUpstreamStream_BecomesAnthropicErrorEvent()
    {
        var upstream = Chunk("""{"content":"a"}""") + """data: {"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded","param":null}}""" + "\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var last = Events(output)[^1];
        Assert.Equal("error", last.Event);
        JsonEqual("""{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached"}}""", Utf8(last.Data));
    }

    [Fact]
    public void Complete_UpstreamEndedWithoutFinish_ClosesOpenBlockAndMessage()
    {
        var dropped = new List<string>();
        var ctx = Context("gpt-4o", dropped, 10);

        var output = RunStream(Create, ctx, [Utf8(Chunk("""{"content":"cut off"}"""))]);

        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], Events(output).Select(e => e.Event));
        Assert.Contains(dropped, d => d.Contains("without finish_reason", StringComparison.Ordinal));
    }

    [Fact]
    public void Translate_UsageInFinishChunk_IsUsedAsOpenRouterSendsIt()
    {
        var upstream = Chunk("""{"content":"ok"}""") +
            "data: " + Head + """{},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":2,"total_tokens":32}}""" + "\n\n" +
            "data: [DONE]\n\n";

        var events = Events(RunStream(Create, Ctx(), [Utf8(upstream)]));

        JsonEqual("""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":30,"cache_read_input_tokens":0,"output_tokens":2}}""", Utf8(events[^2].Data));
    }

    [Theory]
    [InlineData("""{"prompt_tokens":2006,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":1800,"cache_write_tokens":150}}""", """{"input_tokens":56,"cache_read_input_tokens":1800,"cache_creation_input_tokens":150,"output_tokens":9}""")]
    [InlineData("""{"prompt_tokens":2006,"completion_tokens":9,"prompt_cache_hit_tokens":1920,"prompt_cache_miss_tokens":86}""", """{"input_tokens":86,"cache_read_input_tokens":1920,"output_tokens":9}""")]
    public void Translate_CompatibleProviderCacheUsage_ReportsCacheReadsAndWritesApart(string usage, string expected)
    {
        // OpenRouter's cache_write_tokens and DeepSeek's prompt_cache_hit_tokens are inside prompt_tokens too.
        var upstream = Chunk("""{"content":"ok"}""", "\"stop\"") +
            "data: " + Head + "{},\"finish_reason\":null}],\"usage\":" + usage + "}\n\n" +
            "data: [DONE]\n\n";

        var events = Events(RunStream(Create, Ctx(), [Utf8(upstream)]));

        JsonEqual("""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":""" + expected + "}", Utf8(events[^2].Data));
    }

    [Fact]
    public void Translate_ParallelCallsAllAtIndexZeroWithStopFinish_BecomeSeparateToolUseBlocks()
    {
        var upstream =
            Chunk("""{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]}""") +
            Chunk("""{"tool_calls":[{"index":0,"id":"call_b","type":"function","function":{"name":"g","arguments":"{}"}}]}""") +
            Chunk("{}", "\"stop\"") + "data: [DONE]\n\n";

        var output = RunStream(Create, Ctx(), [Utf8(upstream)]);

        var events = Events(output);
        Assert.Equal(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], events.Select(e => e.Event));
        Assert.Contains("\"id\":\"call_b\"", events[4].Data, StringComparison.Ordinal);
        Assert.Contains("\"index\":1", events[4].Data, StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"tool_use\"", events[7].Data, StringComparison.Ordinal);
        AssertSplitInvariant(Create, Ctx, upstream, output);
    }
}
