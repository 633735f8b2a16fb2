using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

public sealed class AnthropicToOpenAIStreamTranslatorTests
{
    // A recording shaped like the Messages streaming reference: message_start, ping, a text block,
    // two tool_use blocks with input_json_delta fragments (one with empty input), message_delta, message_stop.
    private const string Recording = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2,"cache_creation_input_tokens":0,"cache_read_input_tokens":1000},"content":[],"stop_reason":null}}

        event: ping
        data: {"type": "ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let's check — “weather”."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    private const string ChunkHead = """{"id":"chatcmpl-014p7gG3wDgGV9EUtLvnow3U","object":"chat.completion.chunk","created":1750000000,"model":"claude-sonnet-4-5-20250929","choices":[{"index":0,"delta":""";

    private static string Chunk(string delta, string finish = "null", bool usageNull = true)
        => ChunkHead + delta + ""","logprobs":null,"finish_reason":""" + finish + "}]" + (usageNull ? ""","usage":null}""" : "}");

    private static TranslationContext Ctx(bool includeUsage) { var c = Context("claude-sonnet-4-5"); c.ClientIncludeUsage = includeUsage; return c; }

    private static AnthropicToOpenAIStreamTranslator Create(TranslationContext ctx, System.Buffers.IBufferWriter<byte> w) => new(ctx, w);

    [Fact]
    public void Translate_TextAndToolUse_WithIncludeUsage_GivesChunksUsageAndDone()
    {
        var output = RunStream(Create, Ctx(true), [Utf8(Recording)]);

        EventsEqual(
        [
            ("", Chunk("""{"role":"assistant","content":""}""")),
            ("", Chunk("""{"content":"Okay, let's check — “weather”."}""")),
            ("", Chunk("""{"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}]}""")),
            ("", Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]}""")),
            ("", Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":" \"San Francisco, CA\"}"}}]}""")),
            ("", Chunk("""{"tool_calls":[{"index":1,"id":"toolu_02","type":"function","function":{"name":"get_time","arguments":""}}]}""")),
            ("", Chunk("""{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]}""")),
            ("", Chunk("{}", "\"tool_calls\"")),
            ("", """{"id":"chatcmpl-014p7gG3wDgGV9EUtLvnow3U","object":"chat.completion.chunk","created":1750000000,"model":"claude-sonnet-4-5-20250929","choices":[],"usage":{"prompt_tokens":1472,"completion_tokens":89,"total_tokens":1561,"prompt_tokens_details":{"cached_tokens":1000}}}"""),
            ("", "[DONE]"),
        ],
        output);
    }

    [Fact]
    public void Translate_WithoutIncludeUsage_SendsNoUsageChunk()
    {
        var output = RunStream(Create, Ctx(false), [Utf8(Recording)]);

        var events = Events(output);
        Assert.Equal("[DONE]", events[^1].Data);
        Assert.Contains("\"finish_reason\":\"tool_calls\"", events[^2].Data, StringComparison.Ordinal);
        Assert.DoesNotContain("usage", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_SplitAtEveryByteBoundary_GivesIdenticalOutput()
    {
        var expected = RunStream(Create, Ctx(true), [Utf8(Recording)]);

        AssertSplitInvariant(Create, () => Ctx(true), Recording, expected);
    }

    [Fact]
    public void Translate_ErrorEventMidStream_BecomesOpenAIErrorDataEvent()
    {
        var upstream = Recording[..Recording.IndexOf("event: content_block_stop", StringComparison.Ordinal)] +
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

        var output = RunStream(Create, Ctx(true), [Utf8(upstream)]);

        var last = Events(output)[^1];
        JsonEqual("""{"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded"}}""", Utf8(last.Data));
        Assert.DoesNotContain("[DONE]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Complete_UpstreamEndedWithoutMessageStop_SendsFinishAndDone()
    {
        var upstream = Recording[..Recording.IndexOf("event: content_block_stop", StringComparison.Ordinal)];

        var events = Events(RunStream(Create, Ctx(false), [Utf8(upstream)]));

        Assert.Contains("\"finish_reason\":\"stop\"", events[^2].Data, StringComparison.Ordinal);
        Assert.Equal("[DONE]", events[^1].Data);
    }

    [Fact]
    public void WritePing_WritesAnSseCommentOpenAIClientsIgnore()
    {
        var output = RunStream(Create, Ctx(false), [], t => t.WritePing());

        Assert.StartsWith(": ping\n\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_tokens", "length")]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("refusal", "content_filter")]
    public void Translate_StopReason_MapsToFinishReason(string stop, string finish)
    {
        var upstream = Recording.Replace("\"stop_reason\":\"tool_use\"", $"\"stop_reason\":\"{stop}\"", StringComparison.Ordinal);

        var output = RunStream(Create, Ctx(false), [Utf8(upstream)]);

        Assert.Contains($"\"finish_reason\":\"{finish}\"", Events(output)[^2].Data, StringComparison.Ordinal);
    }

    [Fact]
    public void Translate_MalformedEvents_AreSkippedAndReported()
    {
        var upstream = "data: not json\n\n" +
            "data: {\"type\":\"content_block_start\",\"index\":0}\n\n" +
            "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":5}}\n\n" +
            Recording;
        var dropped = new List<string>();
        var ctx = Context("claude-sonnet-4-5", dropped);

        var output = RunStream(Create, ctx, [Utf8(upstream)]);

        Assert.Equal("[DONE]", Events(output)[^1].Data);
        Assert.Contains("malformed upstream stream event", dropped);
        Assert.Contains("malformed tool_use block in the stream", dropped);
    }
}
