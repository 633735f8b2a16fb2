using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>
/// Upstream events the translators read with a <see cref="System.Text.Json.Utf8JsonReader"/> that a
/// document parser would also have refused or read oddly: each is skipped (and recorded) or translated,
/// never an exception, and the stream still ends the way the client's format ends it.
/// </summary>
public sealed class StreamTranslatorOddEventTests
{
    private const string OpenAIHead = """data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4.1","choices":[{"index":0,"delta":""";

    private static readonly string[] s_oddOpenAI =
    [
        "data: \n\n",
        "data: {\"id\":\"x\"} trailing\n\n",
        "data: {\"id\":\"x\"}{\"id\":\"y\"}\n\n",
        "data: [1,2]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"cut\"\n\n",
        OpenAIHead + """{"content":"lone \ud800 surrogate"},"finish_reason":null}]}""" + "\n\n",
        OpenAIHead + """{"tool_calls":[{"index":0,"id":"\udc00","function":{"name":"f\ud800","arguments":"{\"a\":\"\ud800\"}"}}]},"finish_reason":null}]}""" + "\n\n",
        OpenAIHead + """{"tool_calls":[7,{"index":"x","function":"f"}]},"finish_reason":null}]}""" + "\n\n",
        """data: {"choices":[3,{"delta":{"content":"second choice"}}],"usage":[],"model":5,"id":{}}""" + "\n\n",
        OpenAIHead + """{"content":"ok"},"finish_reason":"\ud800"}]}""" + "\n\n",
    ];

    private static readonly string[] s_oddAnthropic =
    [
        "data: \n\n",
        "data: {\"type\":\"ping\"} trailing\n\n",
        "data: \"message_start\"\n\n",
        """data: {"type":"message_start","message":{"id":7,"model":["m"],"usage":"none"}}""" + "\n\n",
        """data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":"lone \ud800"}}""" + "\n\n",
        """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\udc00 text"}}""" + "\n\n",
        """data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":12}}""" + "\n\n",
        """data: {"type":"content_block_delta","index":0,"delta":"text_delta"}""" + "\n\n",
        """data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"\ud800","name":"f","input":{}}}""" + "\n\n",
        """data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":\"\ud800\"}"}}""" + "\n\n",
        """data: {"type":"content_block_start","index":2,"content_block":{"type":"\ud800"}}""" + "\n\n",
        """data: {"type":"content_block_delta","index":2,"delta":{"type":"\ud800"}}""" + "\n\n",
        """data: {"type":"content_block_stop","index":"1"}""" + "\n\n",
        """data: {"type":"message_delta","delta":{"stop_reason":"\ud800"},"usage":{"output_tokens":"3"}}""" + "\n\n",
    ];

    [Fact]
    public void OpenAIToAnthropic_OddEvents_AreSkippedAndTheMessageStillStops()
    {
        foreach (var odd in s_oddOpenAI)
        {
            var output = RunStream((c, w) => new OpenAIToAnthropicStreamTranslator(c, w), Context("gpt-4.1"), [Utf8(odd + OpenAIHead + """{"content":"fine"},"finish_reason":"stop"}]}""" + "\n\ndata: [DONE]\n\n")]);

            Assert.Equal("message_stop", Events(output)[^1].Event);
            Assert.Contains("fine", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OpenAIToResponses_OddEvents_AreSkippedAndTheResponseStillCompletes()
    {
        foreach (var odd in s_oddOpenAI)
        {
            var output = RunStream((c, w) => new OpenAIToResponsesStreamTranslator(c, w), Context("gpt-4.1"), [Utf8(odd + OpenAIHead + """{"content":"fine"},"finish_reason":"stop"}]}""" + "\n\ndata: [DONE]\n\n")]);

            Assert.Equal("response.completed", Events(output)[^1].Event);
            Assert.Contains("fine", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnthropicToOpenAI_OddEvents_AreSkippedAndTheStreamStillEndsWithDone()
    {
        foreach (var odd in s_oddAnthropic)
        {
            var output = RunStream((c, w) => new AnthropicToOpenAIStreamTranslator(c, w), Context("claude"), [Utf8(odd + AnthropicTail)]);

            Assert.Equal("[DONE]", Events(output)[^1].Data);
            Assert.Contains("fine", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnthropicToResponses_OddEvents_AreSkippedAndTheResponseStillCompletes()
    {
        foreach (var odd in s_oddAnthropic)
        {
            var output = RunStream((c, w) => new AnthropicToResponsesStreamTranslator(c, w), Context("claude"), [Utf8(odd + AnthropicTail)]);

            Assert.Equal("response.completed", Events(output)[^1].Event);
            Assert.Contains("fine", output, StringComparison.Ordinal);
        }
    }

    private const string AnthropicTail =
        """data: {"type":"content_block_start","index":5,"content_block":{"type":"text","text":""}}""" + "\n\n" +
        """data: {"type":"content_block_delta","index":5,"delta":{"type":"text_delta","text":"fine"}}""" + "\n\n" +
        """data: {"type":"content_block_stop","index":5}""" + "\n\n" +
        """data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}""" + "\n\n" +
        """data: {"type":"message_stop"}""" + "\n\n";
}
