using Inflight.Protocols.Accounting;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class AnthropicStreamAccountantTests
{
    [Fact]
    public void OnEvent_TextStream_ReportsStartUsageEstimateAndFinalOutput()
    {
        var listener = Run(RecordedStreams.Bytes(RecordedStreams.AnthropicText));

        // "Hello" + "!" weigh 6 units: 2 tokens, reported as soon as the first fragment arrives.
        Assert.Equal(
            ["usage in=25 out=1 read= write=", "estimate 2", "usage in= out=15 read= write="],
            listener.Calls);
        Assert.Equal(15, listener.OutputTokens);
        Assert.False(listener.OutputEstimated);
        Assert.Equal(0, listener.ToolCalls);
    }

    [Fact]
    public void OnEvent_ParallelToolStream_CountsToolsCacheAndFinalUsage()
    {
        var listener = Run(RecordedStreams.Bytes(RecordedStreams.AnthropicTools));

        Assert.Equal(2, listener.ToolCalls);
        Assert.Equal(472, listener.InputTokens);
        Assert.Equal(2048, listener.CacheReadTokens);
        Assert.Equal(0, listener.CacheCreationTokens);
        Assert.Equal(89, listener.OutputTokens);
        Assert.False(listener.OutputEstimated);
        Assert.InRange(listener.EstimatedTokens, 40, 80);
        Assert.Equal("usage in=472 out=89 read=2048 write=0", listener.Calls[^1]);
    }

    [Theory]
    [InlineData(nameof(RecordedStreams.AnthropicText))]
    [InlineData(nameof(RecordedStreams.AnthropicTools))]
    public void OnEvent_SplitAtEveryByteBoundary_GivesIdenticalCalls(string streamName)
    {
        var bytes = RecordedStreams.Bytes(Stream(streamName));
        var expected = Run(bytes).Calls;

        foreach (var chunks in Splits.Of(bytes))
        {
            Assert.Equal(expected, Run(chunks).Calls);
        }
    }

    [Fact]
    public void OnEvent_StreamCutBeforeMessageDelta_KeepsTheEstimateThatFlowed()
    {
        var text = RecordedStreams.Bytes(RecordedStreams.AnthropicTools);
        var cut = text.AsSpan().IndexOf("event: message_delta"u8) + 30;

        var listener = Run(text[..cut]);

        Assert.True(listener.OutputEstimated);
        Assert.Equal(2 + listener.EstimatedTokens, listener.OutputTokens);
        Assert.True(listener.EstimatedTokens > 20);
        Assert.Equal(2, listener.ToolCalls);
        Assert.Equal(472, listener.InputTokens);
    }

    [Fact]
    public void OnEvent_MalformedEventMidStream_IsSkippedAndTheRestCounted()
    {
        var stream = RecordedStreams.AnthropicText.ReplaceLineEndings("\n").Replace(
            "event: ping\ndata: {\"type\": \"ping\"}",
            "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"delta\": {\"text\": \"lost\"\n\n" +
            "event: content_block_delta\ndata: not json at all\n\n" +
            "event: message_delta\ndata: {\"usage\": {\"output_tokens\": \"many\"}}",
            StringComparison.Ordinal);

        var listener = Run(RecordedStreams.Bytes(stream));

        Assert.Equal(
            ["usage in=25 out=1 read= write=", "estimate 2", "usage in= out=15 read= write="],
            listener.Calls);
    }

    [Fact]
    public void OnEvent_NoEventLinesAndReorderedFields_StillCounts()
    {
        var listener = new RecordingUsageListener();
        var accountant = new AnthropicStreamAccountant(listener);

        accountant.OnEvent([], """{"content_block":{"id":"srvtoolu_1","name":"web_search","input":{},"type":"server_tool_use"},"index":0,"type":"content_block_start"}"""u8);
        accountant.OnEvent([], """{"delta":{"partial_json":"{\"query\": \"weather\"}","type":"input_json_delta"},"type":"content_block_delta","index":0}"""u8);
        accountant.OnEvent([], """{"usage":{"output_tokens":12,"input_tokens":null},"type":"message_delta","delta":{"stop_reason":"end_turn"}}"""u8);

        Assert.Equal(1, listener.ToolCalls);
        Assert.Equal(12, listener.OutputTokens);
        Assert.Null(listener.InputTokens);
    }

    private static string Stream(string name) => name switch
    {
        nameof(RecordedStreams.AnthropicText) => RecordedStreams.AnthropicText,
        _ => RecordedStreams.AnthropicTools,
    };

    private static RecordingUsageListener Run(params byte[][] chunks)
    {
        var listener = new RecordingUsageListener();
        var accountant = new AnthropicStreamAccountant(listener);
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, accountant);
        }

        return listener;
    }
}
