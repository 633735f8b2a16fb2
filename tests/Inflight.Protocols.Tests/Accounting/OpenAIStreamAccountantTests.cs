using Inflight.Protocols.Accounting;
using Inflight.Protocols.Sse;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class OpenAIStreamAccountantTests
{
    [Fact]
    public void OnEvent_TextStreamWithUsageChunk_ReportsInputWithoutCachedTokens()
    {
        var listener = Run(RecordedStreams.Bytes(RecordedStreams.OpenAIText));

        // prompt_tokens 1117 includes 1024 cached: input 93, cache read 1024 (Anthropic's meaning).
        Assert.Equal("usage in=93 out=46 read=1024 write=", listener.Calls[^1]);
        Assert.Equal(93, listener.InputTokens);
        Assert.Equal(1024, listener.CacheReadTokens);
        Assert.Null(listener.CacheCreationTokens);
        Assert.Equal(46, listener.OutputTokens);
        Assert.False(listener.OutputEstimated);
        Assert.InRange(listener.EstimatedTokens, 15, 30);
        Assert.Equal(0, listener.ToolCalls);
    }

    [Fact]
    public void OnEvent_ParallelToolCalls_CountsEachCallOnceAndEstimatesArguments()
    {
        var listener = Run(RecordedStreams.Bytes(RecordedStreams.OpenAITools));

        Assert.Equal(2, listener.ToolCalls);
        Assert.Equal(["tool", "estimate 3"], listener.Calls[..2]);
        Assert.Equal("usage in=90 out=51 read=0 write=", listener.Calls[^1]);
    }

    [Fact]
    public void OnEvent_UsageOnLastChoiceChunk_IsAccepted()
    {
        var listener = Run(RecordedStreams.Bytes(RecordedStreams.OpenRouterReasoning));

        Assert.Equal("usage in=12 out=96 read=0 write=", listener.Calls[^1]);
        Assert.True(listener.EstimatedTokens > 15);
    }

    [Theory]
    [InlineData(nameof(RecordedStreams.OpenAIText))]
    [InlineData(nameof(RecordedStreams.OpenAITools))]
    [InlineData(nameof(RecordedStreams.OpenRouterReasoning))]
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
    public void OnEvent_StreamCutBeforeUsage_KeepsTheEstimateThatFlowed()
    {
        var bytes = RecordedStreams.Bytes(RecordedStreams.OpenAITools);
        var cut = bytes.AsSpan().IndexOf("\"finish_reason\":\"tool_calls\""u8);

        var listener = Run(bytes[..cut]);

        Assert.True(listener.OutputEstimated);
        Assert.True(listener.OutputTokens > 10);
        Assert.Equal(2, listener.ToolCalls);
        Assert.Null(listener.InputTokens);
    }

    [Fact]
    public void OnEvent_IdRepeatedOnEveryFragment_CountsOneCall()
    {
        var listener = new RecordingUsageListener();
        var accountant = new OpenAIStreamAccountant(listener);

        accountant.OnEvent([], """{"choices":[{"delta":{"tool_calls":[{"id":"call_1","index":0,"function":{"name":"f","arguments":"{\"a\""}}]}}]}"""u8);
        accountant.OnEvent([], """{"choices":[{"delta":{"tool_calls":[{"id":"call_1","index":0,"function":{"arguments":": 1}"}}]}}]}"""u8);

        Assert.Equal(1, listener.ToolCalls);
    }

    [Fact]
    public void OnEvent_ParallelCallsAllAtIndexZero_CountsEachId()
    {
        var listener = new RecordingUsageListener();
        var accountant = new OpenAIStreamAccountant(listener);

        accountant.OnEvent([], """{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{}"}}]}}]}"""u8);
        accountant.OnEvent([], """{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_b","function":{"name":"f","arguments":"{}"}}]}}]}"""u8);

        Assert.Equal(2, listener.ToolCalls);
    }

    [Fact]
    public void OnEvent_MalformedChunkAndDone_AreIgnored()
    {
        var listener = new RecordingUsageListener();
        var accountant = new OpenAIStreamAccountant(listener);

        accountant.OnEvent([], """{"choices":[{"delta":{"content":"trunc"""u8);
        accountant.OnEvent([], "[DONE]"u8);
        accountant.OnEvent([], """{"choices":[{"delta":{"content":[1,2]}}],"usage":"n/a"}"""u8);
        accountant.OnEvent([], """{"choices":[{"delta":{"content":"fine"}}]}"""u8);

        Assert.Equal(["estimate 1"], listener.Calls);
    }

    [Fact]
    public void OnEvent_CacheWriteAndDeepSeekFields_AreMapped()
    {
        var listener = new RecordingUsageListener();
        var accountant = new OpenAIStreamAccountant(listener);

        accountant.OnEvent([], """{"choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":600,"cache_write_tokens":300}}}"""u8);
        accountant.OnEvent([], """{"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":7,"prompt_cache_hit_tokens":40,"prompt_cache_miss_tokens":10}}"""u8);

        Assert.Equal(
            ["usage in=100 out=5 read=600 write=300", "usage in=10 out=7 read=40 write="],
            listener.Calls);
    }

    private static string Stream(string name) => name switch
    {
        nameof(RecordedStreams.OpenAIText) => RecordedStreams.OpenAIText,
        nameof(RecordedStreams.OpenAITools) => RecordedStreams.OpenAITools,
        _ => RecordedStreams.OpenRouterReasoning,
    };

    private static RecordingUsageListener Run(params byte[][] chunks)
    {
        var listener = new RecordingUsageListener();
        var accountant = new OpenAIStreamAccountant(listener);
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, accountant);
        }

        return listener;
    }
}
