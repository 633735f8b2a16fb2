using BenchmarkDotNet.Attributes;
using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inflight.Benchmarks;

/// <summary>
/// The cost of one tracker change as the SSE hub sees it: build the shared frame (snapshot, serialize,
/// encode once), offer it to every subscriber's slot, and each subscriber takes it. The result must
/// not grow with the number of subscribers beyond one slot write each (sockets excluded).
/// </summary>
[MemoryDiagnoser]
public class BroadcasterBenchmarks
{
    private readonly List<ActiveRequestsSubscription> _subscriptions = [];
    private readonly List<TrackedRequest> _requests = [];
    private RequestTracker _tracker = null!;
    private ActiveRequestsBroadcaster _broadcaster = null!;

    [Params(1, 100)]
    public int Subscribers { get; set; }

    [Params(10, 1_000)]
    public int Active { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tracker = new RequestTracker(TimeProvider.System);
        for (var i = 0; i < Active; i++)
        {
            var request = _tracker.Start(new RequestStart
            {
                Provider = "openai",
                RequestedModel = "gpt-4o-mini",
                ResolvedModel = "gpt-4o-mini",
                IsStreaming = true,
                ClientFormat = "openai",
                UpstreamFormat = "openai",
                RequestSize = 4_000,
                MessageCount = 3,
                EstimatedInputTokens = 1_000,
            });
            request.MarkFirstByte();
            _requests.Add(request);
        }

        _broadcaster = new ActiveRequestsBroadcaster(_tracker, TimeProvider.System, TimeSpan.FromSeconds(2), TimeSpan.Zero, NullLogger.Instance);
        for (var i = 0; i < Subscribers; i++)
        {
            _subscriptions.Add(_broadcaster.Subscribe());
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        foreach (var request in _requests)
        {
            request.Dispose();
        }

        _broadcaster.Dispose();
    }

    [Benchmark]
    public long OneChange()
    {
        _requests[0].AddEstimatedOutputTokens(1);
        var frame = _broadcaster.GetCurrentFrame();
        foreach (var subscription in _subscriptions)
        {
            subscription.Offer(frame);
        }

        long bytes = 0;
        foreach (var subscription in _subscriptions)
        {
            if (subscription.TryTake(out var taken))
            {
                bytes += taken.Utf8.Length;
            }
        }

        return bytes;
    }
}
