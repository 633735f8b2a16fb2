using System.Buffers;
using Inflight.Protocols.Sse;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Stream translation allocates nothing per chunk once a stream is under way: the text and tool-argument
/// fragments that make up most of an answer cost no garbage, in every direction. A stream's setup (the
/// translator, its ids, each new block or item) may allocate; the measured chunks are the fragments after
/// the first of each block. Allocation is counted exactly per thread, so the test does not depend on timing.
/// </summary>
public sealed class StreamTranslationAllocationTests
{
    private const string OpenAIHead = """data: {"id":"chatcmpl-CVHq4x8Wnkq2yGdZ1fNVo6kLaYxRv","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4.1-2025-04-14","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":""";
    private const string OpenAITail = ""","logprobs":null,"finish_reason":null}],"usage":null}""" + "\n\n";

    // (event, whether it is a fragment after the first of its block: measured).
    private static readonly (string Event, bool Measured)[] s_openAI =
    [
        (OpenAIHead + """{"role":"assistant","content":"","refusal":null}""" + OpenAITail, false),
        (OpenAIHead + """{"content":"I'll look"}""" + OpenAITail, false),
        (OpenAIHead + """{"content":" at the \"failing\" test"}""" + OpenAITail, true),
        (OpenAIHead + """{"content":" first — naïve \u00e9 ✓.\n\n"}""" + OpenAITail, true),
        (OpenAIHead + """{"content":"Running it now:"}""" + OpenAITail, true),
        (OpenAIHead + """{"tool_calls":[{"index":0,"id":"call_Qy2cMZ1nV0wTLg8pXf3e6RaB","type":"function","function":{"name":"Bash","arguments":""}}]}""" + OpenAITail, false),
        (OpenAIHead + """{"tool_calls":[{"index":0,"function":{"arguments":"{\"command\":"}}]}""" + OpenAITail, false),
        (OpenAIHead + """{"tool_calls":[{"index":0,"function":{"arguments":" \"dotnet test"}}]}""" + OpenAITail, true),
        (OpenAIHead + """{"tool_calls":[{"index":0,"function":{"arguments":" --filter Parser\","}}]}""" + OpenAITail, true),
        (OpenAIHead + """{"tool_calls":[{"index":0,"function":{"arguments":" \"timeout\": 120000}"}}]}""" + OpenAITail, true),
        (OpenAIHead + """{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}""" + "\n\n", false),
        ("""data: {"id":"chatcmpl-CVHq4x8Wnkq2yGdZ1fNVo6kLaYxRv","object":"chat.completion.chunk","created":1764547200,"model":"gpt-4.1-2025-04-14","choices":[],"usage":{"prompt_tokens":17647,"completion_tokens":61,"total_tokens":17708,"prompt_tokens_details":{"cached_tokens":17536},"completion_tokens_details":{"reasoning_tokens":0}}}""" + "\n\n", false),
        ("data: [DONE]\n\n", false),
    ];

    private static readonly (string Event, bool Measured)[] s_anthropic =
    [
        ("""event: message_start""" + "\n" + """data: {"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01Kx7fQm3VbN2cWjR8tYpL4d","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":120,"cache_read_input_tokens":17524,"output_tokens":1}}}""" + "\n\n", false),
        ("""event: content_block_start""" + "\n" + """data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""" + "\n\n", false),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I'll look"}}""" + "\n\n", false),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" at the \"failing\" test"}}""" + "\n\n", true),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" first — naïve \u00e9 ✓.\n\n"}}""" + "\n\n", true),
        ("""event: ping""" + "\n" + """data: {"type":"ping"}""" + "\n\n", true),
        ("""event: content_block_stop""" + "\n" + """data: {"type":"content_block_stop","index":0}""" + "\n\n", false),
        ("""event: content_block_start""" + "\n" + """data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01D7FLrfh4GYq7yT1ULFeyMV","name":"Bash","input":{}}}""" + "\n\n", false),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"command\":"}}""" + "\n\n", false),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"dotnet test"}}""" + "\n\n", true),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" --filter Parser\","}}""" + "\n\n", true),
        ("""event: content_block_delta""" + "\n" + """data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"timeout\": 120000}"}}""" + "\n\n", true),
        ("""event: content_block_stop""" + "\n" + """data: {"type":"content_block_stop","index":1}""" + "\n\n", false),
        ("""event: message_delta""" + "\n" + """data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":61}}""" + "\n\n", false),
        ("""event: message_stop""" + "\n" + """data: {"type":"message_stop"}""" + "\n\n", false),
    ];

    [Fact]
    public void OpenAIToAnthropic_FragmentsAfterWarmUp_AllocateNothing()
        => AssertFragmentsAllocateNothing((c, w) => new OpenAIToAnthropicStreamTranslator(c, w), s_openAI, t => t.Complete());

    [Fact]
    public void OpenAIToResponses_FragmentsAfterWarmUp_AllocateNothing()
        => AssertFragmentsAllocateNothing((c, w) => new OpenAIToResponsesStreamTranslator(c, w), s_openAI, t => t.Complete());

    [Fact]
    public void AnthropicToResponses_FragmentsAfterWarmUp_AllocateNothing()
        => AssertFragmentsAllocateNothing((c, w) => new AnthropicToResponsesStreamTranslator(c, w), s_anthropic, t => t.Complete());

    [Fact]
    public void AnthropicToOpenAI_FragmentsAfterWarmUp_AllocateNothing()
        => AssertFragmentsAllocateNothing((c, w) => new AnthropicToOpenAIStreamTranslator(c, w), s_anthropic, t => t.Complete());

    private static void AssertFragmentsAllocateNothing<T>(Func<TranslationContext, IBufferWriter<byte>, T> create, (string Event, bool Measured)[] stream, Action<T> complete)
        where T : ISseEventHandler, IDisposable
    {
        var chunks = stream.Select(e => (Bytes: Utf8(e.Event), e.Measured)).ToArray();

        // Sized up front: the test measures the translator, not the growth of its output buffer.
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        var allocated = new long[chunks.Length];
        var expected = "";

        // The first streams warm up the JIT and fill the pools; the last one is measured.
        for (var run = 0; run < 3; run++)
        {
            output.ResetWrittenCount();
            using var reader = new SseEventReader();
            using var translator = create(Context("model"), output);
            for (var i = 0; i < chunks.Length; i++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                reader.Feed(chunks[i].Bytes, translator);
                allocated[i] = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            complete(translator);
            var text = System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
            Assert.True(run == 0 || text == expected, "Every run of the same stream gives the same output.");
            expected = text;
        }

        Assert.Contains("Bash", expected, StringComparison.Ordinal);
        Assert.Contains("filter Parser", expected, StringComparison.Ordinal);
        var measured = Enumerable.Range(0, chunks.Length).Where(i => chunks[i].Measured).ToArray();
        Assert.True(measured.All(i => allocated[i] == 0), "Bytes allocated per measured chunk: " + string.Join(", ", measured.Select(i => $"#{i}: {allocated[i]}")));
    }
}
