using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Inflight.Metrics;
using Inflight.Tracking;

namespace Inflight.Benchmarks;

/// <summary>
/// Building and serializing the <c>/metrics/active-requests</c> payload (also the body of every SSE
/// <c>update</c>) with the host's source-generated context.
/// </summary>
[MemoryDiagnoser]
public class SnapshotBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private RequestTracker _tracker = null!;
    private List<TrackedRequest> _requests = null!;
    private IReadOnlyList<ActiveRequestSnapshot> _snapshot = null!;

    [Params(10, 1_000, 10_000)]
    public int Active { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new RequestTracker(TimeProvider.System);
        _requests = new List<TrackedRequest>(Active);
        for (var i = 0; i < Active; i++)
        {
            var request = _tracker.Start(new RequestStart
            {
                Provider = i % 2 == 0 ? "openai" : "anthropic",
                RequestedModel = i % 2 == 0 ? "openai:gpt-4o-mini" : "claude-sonnet-4-5",
                ResolvedModel = i % 2 == 0 ? "gpt-4o-mini" : "claude-sonnet-4-5",
                IsStreaming = i % 3 != 0,
                ClientFormat = "anthropic",
                UpstreamFormat = i % 2 == 0 ? "openai" : "anthropic",
                RequestSize = 40_000 + i,
                MessageCount = 10 + (i % 20),
                ToolUses = i % 5,
                ToolResults = i % 5,
                EstimatedInputTokens = 10_000 + i,
            });
            if (i % 2 == 0)
            {
                request.MarkFirstByte();
                request.AddEstimatedOutputTokens(i % 700);
            }

            _requests.Add(request);
        }

        _snapshot = _tracker.GetActiveRequests();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var request in _requests)
        {
            request.Dispose();
        }
    }

    /// <summary>Take the snapshot (copy, sort) and serialize it: the whole cost of one change.</summary>
    [Benchmark]
    public int SnapshotAndSerialize()
    {
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output);
        var payload = new ActiveRequestsPayload(false, _tracker.GetActiveRequests(), 1_764_000_000.5);
        JsonSerializer.Serialize(writer, payload, MetricsJsonContext.Default.ActiveRequestsPayload);
        return _output.WrittenCount;
    }

    /// <summary>Serialization alone, from an already-taken snapshot.</summary>
    [Benchmark]
    public int SerializeOnly()
    {
        _output.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_output);
        JsonSerializer.Serialize(writer, new ActiveRequestsPayload(false, _snapshot, 1_764_000_000.5), MetricsJsonContext.Default.ActiveRequestsPayload);
        return _output.WrittenCount;
    }
}
