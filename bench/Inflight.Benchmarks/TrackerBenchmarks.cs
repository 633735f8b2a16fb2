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

    /// <summary>The same request with every attribution field set (client, session, user, key label).</summary>
    private static readonly RequestStart s_attributedStart = s_start with
    {
        ClientName = "claude-cli",
        ClientVersion = "2.1.332",
        SessionId = "5f0c9a52-1f7e-4b8e-9a53-2d1c9f1e7b10",
        UserId = "user_2b7e9c1d",
        KeyLabel = "ci",
    };

    private RequestTracker _tracker = null!;
    private TrackedRequest _streaming = null!;
    private TrackedRequest _attributed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new RequestTracker(TimeProvider.System);
        _streaming = _tracker.Start(s_start);
        _attributed = _tracker.Start(s_attributedStart);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _streaming.Dispose();
        _attributed.Dispose();
    }

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

    /// <summary>
    /// What the gateway does per upstream chunk (bytes arrived, output tokens estimated) on a request carrying
    /// client_name, session_id, user_id and key_label (target: no allocation).
    /// </summary>
    [Benchmark]
    public void ChunkProgressWithAttribution()
    {
        _attributed.MarkBytes();
        _attributed.AddEstimatedOutputTokens(3);
    }
}
