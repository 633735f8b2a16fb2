using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tracking.Tests;

public sealed class StallDetectionTests
{
    private static readonly TimeSpan s_threshold = TimeSpan.FromSeconds(30);

    private static (RequestTracker Tracker, FakeTimeProvider Clock) NewTracker(TimeSpan? threshold = null)
    {
        var clock = TestRequests.NewClock();
        return (new RequestTracker(clock, new TrackerOptions { StallThreshold = threshold ?? s_threshold }), clock);
    }

    [Fact]
    public void Scan_NoUpstreamByteForThreshold_PhaseStalledAndCounted()
    {
        var (tracker, clock) = NewTracker();
        using var request = tracker.Start(TestRequests.Start(streaming: true));

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(RequestPhase.Waiting, Assert.Single(tracker.GetActiveRequests()).Phase);

        clock.Advance(TimeSpan.FromSeconds(2));
        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(RequestPhase.Stalled, snapshot.Phase);
        Assert.Equal(31_000, snapshot.IdleMs);
        Assert.Equal(1, tracker.GetRunningTotals().StalledRequests);
        Assert.Equal(0, tracker.GetRunningTotals().StalledRecovered);
    }

    [Fact]
    public void MarkBytes_AfterStallBetweenChunks_BackToStreamingAndCountedRecovered()
    {
        var (tracker, clock) = NewTracker();
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        request.MarkFirstByte();
        request.MarkBytes();
        clock.Advance(TimeSpan.FromSeconds(20));
        request.MarkBytes();
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(RequestPhase.Streaming, Assert.Single(tracker.GetActiveRequests()).Phase);
        Assert.Equal(20_000, Assert.Single(tracker.GetActiveRequests()).IdleMs);

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(RequestPhase.Stalled, Assert.Single(tracker.GetActiveRequests()).Phase);
        var versionWhileStalled = tracker.Version;

        request.MarkBytes();

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(RequestPhase.Streaming, snapshot.Phase);
        Assert.Equal(0, snapshot.IdleMs);
        Assert.True(tracker.Version > versionWhileStalled);
        var totals = tracker.GetRunningTotals();
        Assert.Equal(1, totals.StalledRequests);
        Assert.Equal(1, totals.StalledRecovered);

        // A second silence is a second stall.
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(2, tracker.GetRunningTotals().StalledRequests);
    }

    [Fact]
    public void Scan_StallThresholdZero_NeverStalls()
    {
        var (tracker, clock) = NewTracker(TimeSpan.Zero);
        using var request = tracker.Start(TestRequests.Start(streaming: true));

        clock.Advance(TimeSpan.FromMinutes(10));
        tracker.ScanForStalls();

        Assert.Equal(RequestPhase.Waiting, Assert.Single(tracker.GetActiveRequests()).Phase);
        Assert.Equal(0, tracker.GetRunningTotals().StalledRequests);
    }

    [Fact]
    public void Finish_WhileStalled_NotCountedAsRecovered()
    {
        var (tracker, clock) = NewTracker();
        var request = tracker.Start(TestRequests.Start(streaming: true));
        clock.Advance(TimeSpan.FromSeconds(31));

        request.Fail(ErrorTypes.UpstreamTimeout);
        request.MarkBytes();

        Assert.Empty(tracker.GetActiveRequests());
        Assert.Equal((1L, 0L), (tracker.GetRunningTotals().StalledRequests, tracker.GetRunningTotals().StalledRecovered));
    }

    [Fact]
    public void Snapshot_StreamingOutput_ShowsTokensPerSecondSinceFirstByte()
    {
        var (tracker, clock) = NewTracker();
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, Assert.Single(tracker.GetActiveRequests()).TokensPerSecond);
        request.MarkFirstByte();

        clock.Advance(TimeSpan.FromSeconds(4));
        request.AddEstimatedOutputTokens(100);

        Assert.Equal(25, Assert.Single(tracker.GetActiveRequests()).TokensPerSecond);
    }

    [Fact]
    public void MarkBytes_ManyCalls_AllocatesNothing()
    {
        var (tracker, _) = NewTracker();
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        request.MarkBytes();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            request.MarkBytes();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
