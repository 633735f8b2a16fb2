using System.Text.Json.Nodes;
using Inflight.Protocols.Translation;
using static Inflight.Protocols.Tests.Translation.TranslationTestSupport;

namespace Inflight.Protocols.Tests.Translation;

/// <summary>Thinking reaches OpenAI clients as reasoning_content; a refusal ends an Anthropic stream as a refusal.</summary>
public sealed class StreamReasoningAndRefusalTests
{
    [Fact]
    public void AnthropicStream_ThinkingDeltas_BecomeReasoningContentChunks()
    {
        var upstream = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think."}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}

            event: message_stop
            data: {"type":"message_stop"}


            """.ReplaceLineEndings("\n");
        var notes = new List<string>();

        var output = RunStream((c, w) => new AnthropicToOpenAIStreamTranslator(c, w), Context("gpt-4o", notes), [Utf8(upstream)]);

        var deltas = Events(output).Where(e => e.Data.StartsWith('{')).Select(e => JsonNode.Parse(e.Data)!["choices"]![0]!["delta"]!).ToList();
        Assert.Contains(deltas, d => (string?)d["reasoning_content"] == "Let me think.");
        Assert.Contains(deltas, d => (string?)d["content"] == "Hi");
        Assert.Contains("dropped: thinking signature", notes);
    }

    [Fact]
    public void OpenAIStream_RefusalThenStop_EndsWithStopReasonRefusal()
    {
        var upstream = """
            data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","refusal":""},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: [DONE]


            """.ReplaceLineEndings("\n");

        var output = RunStream((c, w) => new OpenAIToAnthropicStreamTranslator(c, w), Context("gpt-4o"), [Utf8(upstream)]);

        var delta = Events(output).Single(e => e.Event == "message_delta");
        Assert.Equal("refusal", (string)JsonNode.Parse(delta.Data)!["delta"]!["stop_reason"]!);
        Assert.Contains("I can't help with that.", output, StringComparison.Ordinal);
    }
}
