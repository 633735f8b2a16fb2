using System.Text;
using Inflight.Protocols.Accounting;
using Inflight.Protocols.Sse;
using Inflight.Testing;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class ResponsesStreamAccountantTests
{
    private static byte[] Recording => Encoding.UTF8.GetBytes(string.Concat(ResponsesRecordings.StreamEvents));

    [Fact]
    public void OnEvent_TextThenFunctionCall_EstimatesDeltasCountsOneCallAndReadsCompletedUsage()
    {
        var listener = Run(Recording);

        // input_tokens 250 includes 200 cached: input 50, cache read 200 (Anthropic's meaning); output includes reasoning.
        Assert.Equal("usage in=50 out=40 read=200 write=", listener.Calls[^1]);
        Assert.Equal(1, listener.ToolCalls);
        Assert.InRange(listener.EstimatedTokens, 10, 20);
        Assert.Equal(40, listener.OutputTokens);
        Assert.False(listener.OutputEstimated);
    }

    [Fact]
    public void OnEvent_SplitAtEveryByteBoundary_GivesIdenticalCalls()
    {
        var bytes = Recording;
        var expected = Run(bytes).Calls;

        foreach (var chunks in Splits.Of(bytes))
        {
            Assert.Equal(expected, Run(chunks).Calls);
        }
    }

    [Fact]
    public void OnEvent_WithoutEventLines_ReadsTheTypeFromTheData()
    {
        var withoutEventLines = string.Concat(ResponsesRecordings.StreamEvents.Select(e => e[(e.IndexOf('\n', StringComparison.Ordinal) + 1)..]));

        Assert.Equal(Run(Recording).Calls, Run(Encoding.UTF8.GetBytes(withoutEventLines)).Calls);
    }

    [Fact]
    public void OnEvent_StreamCutBeforeCompleted_KeepsTheEstimate()
    {
        var bytes = Recording;
        var cut = bytes.AsSpan().IndexOf("event: response.completed"u8);

        var listener = Run(bytes[..cut]);

        Assert.True(listener.OutputEstimated);
        Assert.True(listener.OutputTokens > 5);
        Assert.Equal(1, listener.ToolCalls);
        Assert.Null(listener.InputTokens);
    }

    [Fact]
    public void OnEvent_HostedCallsReasoningAndAudio_CountCallsAndTextOnly()
    {
        var listener = new RecordingUsageListener();
        var accountant = new ResponsesStreamAccountant(listener);

        accountant.OnEvent("response.output_item.added"u8, """{"type":"response.output_item.added","item":{"type":"web_search_call","id":"ws_1","status":"in_progress"}}"""u8);
        accountant.OnEvent("response.output_item.added"u8, """{"type":"response.output_item.added","item":{"type":"reasoning","id":"rs_1","summary":[]}}"""u8);
        accountant.OnEvent("response.output_item.done"u8, """{"type":"response.output_item.done","item":{"type":"function_call","id":"fc_1","call_id":"c","name":"f","arguments":"{}"}}"""u8);
        accountant.OnEvent("response.reasoning_summary_text.delta"u8, """{"type":"response.reasoning_summary_text.delta","delta":"Thinking it over"}"""u8);
        accountant.OnEvent("response.audio.delta"u8, """{"type":"response.audio.delta","delta":"UklGRiQAAABXQVZFZm10IBAAAAABAAEA"}"""u8);
        accountant.OnEvent("response.incomplete"u8, """{"type":"response.incomplete","response":{"status":"incomplete","usage":{"input_tokens":10,"output_tokens":7}}}"""u8);

        Assert.Equal(["tool", "estimate 4", "usage in=10 out=7 read= write="], listener.Calls);
    }

    [Fact]
    public void OnEvent_MalformedEvents_AreIgnored()
    {
        var listener = new RecordingUsageListener();
        var accountant = new ResponsesStreamAccountant(listener);

        accountant.OnEvent("response.output_text.delta"u8, """{"type":"response.output_text.delta","delta":"trunc"""u8);
        accountant.OnEvent([], "[DONE]"u8);
        accountant.OnEvent("response.completed"u8, """{"type":"response.completed","response":{"usage":"n/a"}}"""u8);
        accountant.OnEvent("response.output_text.delta"u8, """{"type":"response.output_text.delta","delta":"fine"}"""u8);

        Assert.Equal(["estimate 1"], listener.Calls);
    }

    private static RecordingUsageListener Run(params byte[][] chunks)
    {
        var listener = new RecordingUsageListener();
        var accountant = new ResponsesStreamAccountant(listener);
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, accountant);
        }

        return listener;
    }
}
