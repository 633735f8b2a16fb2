using BenchmarkDotNet.Attributes;
using Inflight.Tracking;

namespace Inflight.Benchmarks;

/// <summary>The tracker's cost per request (start to complete) and per streamed-token update.</summary>
[MemoryDiagnoser]
public class TrackerBenchmarks
{
    private static readonly RequestStart s_start = new()
    {
        Provider = "openai",
        RequestedModel = "openai:gpt-4o-mini",
        ResolvedModel = "gpt-4o-mini",
        IsStreaming = true,
        ClientFormat = "anthropic",
        UpstreamFormat = "openai",
        RequestSize = 52_000,
        MessageCount = 12,
        ToolUses = 3,
        ToolResults = 3,
        EstimatedInputTokens = 13_000,
    };

    private RequestTracker _tracker = null!;
    private TrackedRequest _streaming = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new RequestTracker(TimeProvider.System);
        _streaming = _tracker.Start(s_start);
    }

    [GlobalCleanup]
    public void Cleanup() => _streaming.Dispose();

    /// <summary>Register, mark the first byte, complete: the tracking every request pays.</summary>
    [Benchmark]
    public bool StartFirstByteComplete()
    {
        using var request = _tracker.Start(s_start);
        request.MarkFirstByte();
        return request.Complete();
    }

    /// <summary>One token-progress update on a streaming request (target: no allocation).</summary>
    [Benchmark]
    public void AddEstimatedOutputTokens() => _streaming.AddEstimatedOutputTokens(3);
}
