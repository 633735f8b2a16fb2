using System.Buffers;
using System.Text;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

public sealed class OpenAIUsageChunkFilterTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Filter_UsageChunkStream_WritesEverythingButTheUsageEventForEverySplit(string lineEnd)
    {
        var input = Encode(RecordedStreams.OpenAIText, lineEnd);
        var usageEvent = Encode(RecordedStreams.OpenAITextUsageEvent, lineEnd);
        var expected = Remove(input, usageEvent);
        Assert.Equal(input.Length - usageEvent.Length, expected.Length);

        Assert.Equal(expected, Run(input));
        foreach (var chunks in Splits.Of(input))
        {
            Assert.Equal(expected, Run(chunks));
        }
    }

    [Theory]
    [InlineData(nameof(RecordedStreams.OpenAITools), true)]
    [InlineData(nameof(RecordedStreams.OpenRouterReasoning), false)]
    public void Filter_OtherStreams_RemoveOnlyUsageOnlyEvents(string streamName, bool hasUsageOnlyEvent)
    {
        var input = RecordedStreams.Bytes(streamName == nameof(RecordedStreams.OpenAITools)
            ? RecordedStreams.OpenAITools
            : RecordedStreams.OpenRouterReasoning);
        var expected = Run(input);

        Assert.Equal(hasUsageOnlyEvent, expected.Length < input.Length);
        Assert.DoesNotContain("\"choices\":[]", Encoding.UTF8.GetString(expected), StringComparison.Ordinal);
        foreach (var chunks in Splits.Of(input))
        {
            Assert.Equal(expected, Run(chunks));
        }
    }

    [Fact]
    public void Filter_CompleteEvents_AreWrittenAtOnceAndOnlyTheCutEventIsHeld()
    {
        var input = RecordedStreams.Bytes(RecordedStreams.OpenAIText);
        var secondEvent = input.AsSpan().IndexOf("\n\ndata:"u8) + 2;
        using var filter = new OpenAIUsageChunkFilter();
        var output = new ArrayBufferWriter<byte>();

        filter.Filter(input.AsSpan(0, secondEvent + 10), output);

        Assert.Equal(input[..secondEvent], output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Complete_UnterminatedLastEvent_IsWrittenUnlessUsageOnly()
    {
        using var filter = new OpenAIUsageChunkFilter();
        var output = new ArrayBufferWriter<byte>();

        filter.Filter("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}"u8, output);
        Assert.Equal(0, output.WrittenCount);
        filter.Complete(output);
        Assert.Equal("data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}", Encoding.UTF8.GetString(output.WrittenSpan));

        output.Clear();
        filter.Filter("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}}"u8, output);
        filter.Complete(output);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Filter_EventLargerThanTheHoldLimit_FlowsThroughBeforeItEnds()
    {
        var big = "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('a', 100_000) + "\"}}]}\n\n";
        var input = Encoding.UTF8.GetBytes(big + RecordedStreams.OpenAITextUsageEvent.ReplaceLineEndings("\n") + "data: [DONE]\n\n");
        using var filter = new OpenAIUsageChunkFilter();
        var output = new ArrayBufferWriter<byte>();

        foreach (var chunk in input.Chunk(1000).Take(80))
        {
            filter.Filter(chunk, output);
        }

        Assert.True(output.WrittenCount > 70_000);
        foreach (var chunk in input.Chunk(1000).Skip(80))
        {
            filter.Filter(chunk, output);
        }

        Assert.Equal(Encoding.UTF8.GetBytes(big + "data: [DONE]\n\n"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Filter_MultiLineDataAndMalformedEvents_AreJudgedWholeAndNeverThrow()
    {
        var input = Encoding.UTF8.GetBytes(
            "data: {\"choices\": [],\ndata: \"usage\": {\"prompt_tokens\": 5}}\n\n" +
            "data: {\"choices\": [], \"usage\": {\"prompt_tokens\": \n\n" +
            "data: {\"usage\": null, \"choices\": []}\n\n" +
            ": keep-alive\n\n" +
            "event: message\ndata: {\"usage\":{\"completion_tokens\":1}}\n\n");
        var expected = Encoding.UTF8.GetBytes(
            "data: {\"choices\": [], \"usage\": {\"prompt_tokens\": \n\n" +
            "data: {\"usage\": null, \"choices\": []}\n\n" +
            ": keep-alive\n\n");

        foreach (var chunks in Splits.Of(input))
        {
            Assert.Equal(expected, Run(chunks));
        }
    }

    [Fact]
    public void Filter_WarmedUp_AllocatesNothing()
    {
        var chunks = RecordedStreams.Bytes(RecordedStreams.OpenAIText).Chunk(64).ToArray();
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        using (var warmUp = new OpenAIUsageChunkFilter())
        {
            foreach (var chunk in chunks)
            {
                warmUp.Filter(chunk, output);
            }
        }

        output.Clear();
        using var filter = new OpenAIUsageChunkFilter();

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var chunk in chunks)
        {
            filter.Filter(chunk, output);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(output.WrittenCount > 0);
    }

    private static byte[] Run(params byte[][] chunks)
    {
        using var filter = new OpenAIUsageChunkFilter();
        var output = new ArrayBufferWriter<byte>();
        foreach (var chunk in chunks)
        {
            filter.Filter(chunk, output);
        }

        filter.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Encode(string stream, string lineEnd)
        => Encoding.UTF8.GetBytes(stream.ReplaceLineEndings(lineEnd));

    private static byte[] Remove(byte[] input, byte[] part)
    {
        var at = input.AsSpan().IndexOf(part);
        Assert.True(at >= 0);
        return [.. input[..at], .. input[(at + part.Length)..]];
    }
}
