using System.Text;
using BenchmarkDotNet.Attributes;
using Inflight.Protocols.Sse;

namespace Inflight.Benchmarks;

/// <summary>Incremental SSE parsing of provider streams, reported per chunk (one event per network read).</summary>
[MemoryDiagnoser]
public class SseBenchmarks
{
    private byte[][] _anthropicChunks = null!;
    private byte[][] _openAIChunks = null!;
    private byte[][] _splitChunks = null!;
    private readonly CountingHandler _handler = new();

    [GlobalSetup]
    public void Setup()
    {
        _anthropicChunks = [.. SampleStreams.Anthropic(20).Select(Encoding.UTF8.GetBytes)];
        _openAIChunks = [.. SampleStreams.OpenAI(20).Select(Encoding.UTF8.GetBytes)];

        // The same OpenAI stream cut every 37 bytes: lines split across reads take the carry path.
        var whole = _openAIChunks.SelectMany(c => c).ToArray();
        _splitChunks = whole.Chunk(37).ToArray();
    }

    [Benchmark(OperationsPerInvoke = 20)]
    public int AnthropicPerChunk() => Parse(_anthropicChunks);

    [Benchmark(OperationsPerInvoke = 20)]
    public int OpenAIPerChunk() => Parse(_openAIChunks);

    /// <summary>Per 37-byte read of a stream whose lines straddle reads.</summary>
    [Benchmark]
    public int OpenAISplitEvery37Bytes() => Parse(_splitChunks);

    private int Parse(byte[][] chunks)
    {
        using var reader = new SseEventReader();
        foreach (var chunk in chunks)
        {
            reader.Feed(chunk, _handler);
        }

        return _handler.Events;
    }

    private sealed class CountingHandler : ISseEventHandler
    {
        public int Events { get; private set; }

        public void OnEvent(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data) => Events++;
    }
}
