using BenchmarkDotNet.Attributes;
using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inflight.Benchmarks;

/// <summary>
/// The delta stream's cost per round as its shared publisher sees it: find what changed, diff and encode it once,
/// append it to the ring, and every subscriber takes the same frames. One change among many active requests must
/// cost about one record, not all of them, and nothing per subscriber beyond a cursor read (sockets excluded).
/// </summary>
[MemoryDiagnoser]
public class DeltaPublisherBenchmarks
{
    private readonly List<ActiveRequestsDeltaSubscription> _subscriptions = [];
    private readonly List<TrackedRequest> _requests = [];
    private readonly List<byte[]> _frames = [];
    private RequestTracker _tracker = null!;
    private ActiveRequestsDeltaPublisher _publisher = null!;

    // The defaults are what --cpu (which sets no params) measures.
    [Params(1, 100)]
    public int Subscribers { get; set; } = 100;

    [Params(1_000)]
    public int Active { get; set; } = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        var membership = new ActiveRequestsMembership();
        _tracker = new RequestTracker(TimeProvider.System, observers: [membership]);
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
                ClientName = "claude-cli",
                SessionId = "5f0c9a52-1f7e-4b8e-9a53-2d1c9f1e7b10",
            });
            request.MarkFirstByte();
            _requests.Add(request);
        }

        _publisher = new ActiveRequestsDeltaPublisher(new ActiveView(_tracker, null, TimeProvider.System), membership, TimeProvider.System, TimeSpan.FromSeconds(2), ActiveRequestsDeltaPublisher.DefaultRingRounds, ActiveRequestsDeltaPublisher.DefaultRingBytes, NullLogger.Instance);
        for (var i = 0; i < Subscribers; i++)
        {
            _subscriptions.Add(_publisher.Subscribe());
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

        _publisher.Dispose();
    }

    /// <summary>One request's tokens move: one <c>request-update</c>, shared by every subscriber.</summary>
    [Benchmark]
    public long OneChange()
    {
        _requests[0].AddEstimatedOutputTokens(1);
        _publisher.PublishRound(includeClock: false);
        return TakeAll();
    }

    /// <summary>A request starts and ends: a <c>request-start</c> and a <c>request-end</c> round.</summary>
    [Benchmark]
    public long StartAndEnd()
    {
        var request = _tracker.Start(new RequestStart
        {
            Provider = "openai",
            RequestedModel = "gpt-4o-mini",
            ResolvedModel = "gpt-4o-mini",
            IsStreaming = true,
            ClientFormat = "openai",
            UpstreamFormat = "openai",
        });
        _publisher.PublishRound(includeClock: false);
        var bytes = TakeAll();
        request.Complete();
        _publisher.PublishRound(includeClock: false);
        return bytes + TakeAll();
    }

    /// <summary>Every active request's clock ticks in one round (the loop spreads these over the interval in slices).</summary>
    [Benchmark]
    public long EveryClockTick()
    {
        _publisher.PublishRound(includeClock: true);
        return TakeAll();
    }

    private long TakeAll()
    {
        long bytes = 0;
        foreach (var subscription in _subscriptions)
        {
            _frames.Clear();
            subscription.Read(_frames);
            foreach (var frame in _frames)
            {
                bytes += frame.Length;
            }
        }

        return bytes;
    }
}
