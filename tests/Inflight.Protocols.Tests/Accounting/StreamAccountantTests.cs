using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class StreamAccountantTests
{
    [Theory]
    [InlineData(ApiFormat.Anthropic, nameof(RecordedStreams.AnthropicTools), 89)]
    [InlineData(ApiFormat.OpenAI, nameof(RecordedStreams.OpenAITools), 51)]
    public void Create_UpstreamFormat_PicksTheMatchingAccountant(ApiFormat format, string streamName, long expectedOutput)
    {
        var stream = streamName == nameof(RecordedStreams.AnthropicTools) ? RecordedStreams.AnthropicTools : RecordedStreams.OpenAITools;
        var listener = new RecordingUsageListener();

        using (var accountant = StreamAccountant.Create(format, listener))
        {
            foreach (var chunk in RecordedStreams.Bytes(stream).Chunk(100))
            {
                accountant.Feed(chunk);
            }
        }

        Assert.Equal(expectedOutput, listener.OutputTokens);
        Assert.Equal(2, listener.ToolCalls);
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", "overloaded_error: Overloaded")]
    [InlineData(ApiFormat.OpenAI, "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}\n\n", "server_error: boom")]
    [InlineData(ApiFormat.OpenAI, "data: {\"error\":{\"message\":\"slow down\",\"code\":429}}\n\n", "429: slow down")]
    [InlineData(ApiFormat.Responses, "event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"boom\"}\n\n", "server_error: boom")]
    [InlineData(ApiFormat.Responses, "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Too fast\"}}}\n\n", "rate_limit_exceeded: Too fast")]
    [InlineData(ApiFormat.Anthropic, "event: error\ndata: {not json\n\n", "error: (unreadable error event)")]
    public void StreamError_ProviderErrorInBand_SaysTypeAndMessage(ApiFormat format, string errorEvent, string expected)
    {
        using var accountant = StreamAccountant.Create(format, new RecordingUsageListener());

        // Split anywhere, like the bytes off the socket.
        foreach (var chunk in System.Text.Encoding.UTF8.GetBytes(errorEvent).Chunk(7))
        {
            accountant.Feed(chunk);
        }

        Assert.Equal(expected, accountant.StreamError);
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic, nameof(RecordedStreams.AnthropicTools))]
    [InlineData(ApiFormat.OpenAI, nameof(RecordedStreams.OpenAITools))]
    [InlineData(ApiFormat.OpenAI, nameof(RecordedStreams.OpenAIText))]
    public void StreamError_NormalStream_IsNull(ApiFormat format, string streamName)
    {
        var stream = streamName switch
        {
            nameof(RecordedStreams.AnthropicTools) => RecordedStreams.AnthropicTools,
            nameof(RecordedStreams.OpenAITools) => RecordedStreams.OpenAITools,
            _ => RecordedStreams.OpenAIText,
        };
        using var accountant = StreamAccountant.Create(format, new RecordingUsageListener());

        accountant.Feed(RecordedStreams.Bytes(stream));

        Assert.True(accountant.SawEnd);
        Assert.Null(accountant.StreamError);
    }

    [Fact]
    public void Feed_AfterDispose_IsIgnored()
    {
        var listener = new RecordingUsageListener();
        var accountant = StreamAccountant.Create(ApiFormat.OpenAI, listener);
        accountant.Dispose();

        accountant.Feed(RecordedStreams.Bytes(RecordedStreams.OpenAIText));
        accountant.Dispose();

        Assert.Empty(listener.Calls);
    }

    [Fact]
    public void Feed_LineBeyondTheReaderLimit_DoesNotThrowAndCountingResumes()
    {
        var listener = new RecordingUsageListener();
        using var accountant = StreamAccountant.Create(ApiFormat.OpenAI, listener);
        var junk = new byte[1024 * 1024];
        junk.AsSpan().Fill((byte)'x');

        for (var i = 0; i < 17; i++)
        {
            accountant.Feed(junk);
        }

        accountant.Feed("\n\n"u8);
        accountant.Feed(RecordedStreams.Bytes(RecordedStreams.OpenAIText));

        Assert.Equal(46, listener.OutputTokens);
    }

    [Theory]
    [InlineData(ApiFormat.Anthropic)]
    [InlineData(ApiFormat.OpenAI)]
    public void Feed_WarmedUpStream_AllocatesNothing(ApiFormat format)
    {
        // A deterministic allocation count, not a timing: the per-chunk path must not allocate.
        var bytes = RecordedStreams.Bytes(format == ApiFormat.Anthropic ? RecordedStreams.AnthropicTools : RecordedStreams.OpenAIText);
        var chunks = bytes.Chunk(64).ToArray();
        var listener = new CountingListener();
        FeedAll(StreamAccountant.Create(format, listener), chunks);
        var accountant = StreamAccountant.Create(format, listener);

        var before = GC.GetAllocatedBytesForCurrentThread();
        FeedAll(accountant, chunks);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(listener.Calls > 0);
    }

    private static void FeedAll(StreamAccountant accountant, byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            accountant.Feed(chunk);
        }

        accountant.Dispose();
    }

    private sealed class CountingListener : IUsageListener
    {
        public int Calls { get; private set; }

        public void OnOutputTokensEstimated(int tokens) => Calls++;

        public void OnUsage(UsageReport usage) => Calls++;

        public void OnToolCall() => Calls++;
    }
}
