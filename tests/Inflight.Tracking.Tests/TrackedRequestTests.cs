namespace Inflight.Tracking.Tests;

public sealed class TrackedRequestTests
{
    [Fact]
    public void Start_NewRequest_IsWaitingWithoutTtft()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        using var request = tracker.Start(TestRequests.Start(streaming: true));

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(RequestPhase.Waiting, snapshot.Phase);
        Assert.Null(snapshot.TtftMs);
        Assert.Equal("openai:gpt-4o", snapshot.QualifiedModel);
        Assert.Equal("gpt-4o", snapshot.Model);
        Assert.True(snapshot.IsStreaming);
        Assert.Equal(TestRequests.Epoch.ToUnixTimeMilliseconds() / 1000.0, snapshot.StartTime);
    }

    [Fact]
    public void AddTranslationNote_ManyAndLongNotes_AreDedupedBoundedAndKeptInTheLog()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = tracker.Start(TestRequests.Start());

        request.AddTranslationNote("dropped: context_management");
        request.AddTranslationNote("dropped: context_management");
        request.AddTranslationNote(new string('x', 500));
        for (var i = 0; i < 100; i++)
        {
            request.AddTranslationNote($"note {i}");
        }

        var live = Assert.Single(tracker.GetActiveRequests()).TranslationNotes;
        Assert.Equal(TranslationNotes.MaxCount, live.Count);
        Assert.Equal("dropped: context_management", live[0]);
        Assert.Equal(TranslationNotes.MaxLength, live[1].Length);
        request.Complete();
        request.AddTranslationNote("after the end");

        Assert.Equal(live, Assert.Single(tracker.GetRecentRequests()).TranslationNotes);
    }

    [Fact]
    public void AddTranslationNotes_RequestTranslationsNotes_RecordedAsOneDedupedBoundedUpdate()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = tracker.Start(TestRequests.Start());
        var before = tracker.Version;

        request.AddTranslationNotes(["dropped: context_management", "", "dropped: context_management", new string('x', 500), .. Enumerable.Range(0, 100).Select(i => $"note {i}")]);

        var live = Assert.Single(tracker.GetActiveRequests()).TranslationNotes;
        Assert.Equal(before + 1, tracker.Version);
        Assert.Equal(TranslationNotes.MaxCount, live.Count);
        Assert.Equal(["dropped: context_management", new string('x', TranslationNotes.MaxLength - 1) + "…", "note 0"], live.Take(3));
        request.AddTranslationNotes(["note 0", "note 1"]);
        Assert.Equal(before + 1, tracker.Version);
    }

    [Fact]
    public void ChangeCount_ProgressAndStalls_GrowsButTheClockAloneDoesNot()
    {
        var clock = TestRequests.NewClock();
        var tracker = new RequestTracker(clock, new TrackerOptions { StallThreshold = TimeSpan.FromSeconds(30) });
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        var started = request.ChangeCount;

        // Only the clock moves (duration, idle time): nothing for the delta stream to re-read.
        clock.Advance(TimeSpan.FromSeconds(10));
        request.MarkBytes();
        Assert.Equal(started, request.ChangeCount);

        request.AddEstimatedOutputTokens(3);
        var progressed = request.ChangeCount;
        Assert.True(progressed > started);

        clock.Advance(TimeSpan.FromSeconds(31));
        tracker.ScanForStalls();
        var stalled = request.ChangeCount;
        Assert.True(stalled > progressed, "entering a stall changes the phase");

        request.MarkBytes();
        Assert.True(request.ChangeCount > stalled, "leaving a stall changes the phase");
    }

    [Fact]
    public void MarkFirstByte_AfterDelay_SetsStreamingPhaseAndTtft()
    {
        var clock = TestRequests.NewClock();
        var tracker = new RequestTracker(clock);
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        clock.Advance(TimeSpan.FromMilliseconds(250));

        request.MarkFirstByte();
        clock.Advance(TimeSpan.FromMilliseconds(750));

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(RequestPhase.Streaming, snapshot.Phase);
        Assert.Equal(250, snapshot.TtftMs);
        Assert.Equal(1000, snapshot.DurationMs);
    }

    [Fact]
    public void MarkFirstByte_CalledTwice_KeepsFirstTtft()
    {
        var clock = TestRequests.NewClock();
        var tracker = new RequestTracker(clock);
        using var request = tracker.Start(TestRequests.Start());
        clock.Advance(TimeSpan.FromMilliseconds(100));
        request.MarkFirstByte();
        clock.Advance(TimeSpan.FromMilliseconds(100));

        request.MarkFirstByte();

        Assert.Equal(100, Assert.Single(tracker.GetActiveRequests()).TtftMs);
    }

    [Fact]
    public void AddEstimatedOutputTokens_SeveralChunks_AccumulatesAndMarksEstimated()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start(streaming: true));

        request.AddEstimatedOutputTokens(3);
        request.AddEstimatedOutputTokens(4);
        request.AddEstimatedOutputTokens(0);

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(7, snapshot.OutputTokens);
        Assert.True(snapshot.TokensEstimated);
    }

    [Fact]
    public void ReportUsage_AfterEstimate_ReplacesOutputAndClearsEstimatedFlag()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start(streaming: true));
        request.AddEstimatedOutputTokens(50);

        request.ReportUsage(inputTokens: 10, outputTokens: 42, cacheReadTokens: 5, cacheCreationTokens: 6);

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(42, snapshot.OutputTokens);
        Assert.Equal(10, snapshot.InputTokens);
        Assert.Equal(5, snapshot.CacheReadTokens);
        Assert.Equal(6, snapshot.CacheCreationTokens);
        Assert.False(snapshot.TokensEstimated);
    }

    [Fact]
    public void ReportUsage_NullFields_LeaveCurrentValues()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start());
        request.ReportUsage(inputTokens: 10, cacheReadTokens: 3);

        request.ReportUsage(outputTokens: 7);

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(10, snapshot.InputTokens);
        Assert.Equal(7, snapshot.OutputTokens);
        Assert.Equal(3, snapshot.CacheReadTokens);
    }

    [Fact]
    public void EstimatedInputTokens_UntilReported_ShownAsEstimate()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start(estimatedInput: 900));

        var before = Assert.Single(tracker.GetActiveRequests());
        request.ReportUsage(inputTokens: 1000);
        var after = Assert.Single(tracker.GetActiveRequests());

        Assert.Equal(900, before.InputTokens);
        Assert.True(before.TokensEstimated);
        Assert.Equal(1000, after.InputTokens);
        Assert.False(after.TokensEstimated);
    }

    [Fact]
    public void ToolCounts_FromStartAndResponse_AreShown()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start(toolUses: 2, toolResults: 3));

        request.AddToolCalls(1);
        request.AddToolCalls(2);

        var snapshot = Assert.Single(tracker.GetActiveRequests());
        Assert.Equal(2, snapshot.ToolUses);
        Assert.Equal(3, snapshot.ToolResults);
        Assert.Equal(3, snapshot.ToolCalls);
    }

    [Fact]
    public void Complete_Twice_SecondReturnsFalseAndRecordsOnce()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = tracker.Start(TestRequests.Start());

        Assert.True(request.Complete());
        Assert.False(request.Complete());
        Assert.False(request.Fail(ErrorTypes.ApiError));
        request.Dispose();

        Assert.True(request.IsFinalized);
        Assert.Single(tracker.GetRecentRequests());
        Assert.Empty(tracker.GetRecentErrors());
        Assert.Equal(1, tracker.GetRunningTotals().Summary.TotalRequests);
        Assert.Equal(0, tracker.GetRunningTotals().Summary.TotalErrors);
    }

    [Fact]
    public void Dispose_WithoutCompletion_RecordsUnexpectedError()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        using (tracker.Start(TestRequests.Start()))
        {
        }

        var error = Assert.Single(tracker.GetRecentErrors());
        Assert.Equal(ErrorTypes.UnexpectedError, error.ErrorType);
        Assert.Equal(RequestStatus.Error, error.Status);
        Assert.Equal(0, tracker.ActiveCount);
    }

    [Fact]
    public void ProgressCalls_AfterFinalization_AreIgnored()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = tracker.Start(TestRequests.Start());
        request.ReportUsage(inputTokens: 1, outputTokens: 2);
        request.Complete();
        var version = tracker.Version;

        request.AddEstimatedOutputTokens(100);
        request.ReportUsage(outputTokens: 100);
        request.AddToolCalls(5);
        request.MarkFirstByte();

        var totals = tracker.GetRunningTotals().Summary;
        Assert.Equal(2, totals.OutputTokens);
        Assert.Equal(0, totals.ToolCalls);
        Assert.Equal(0, totals.TtftCount);
        Assert.Equal(version, tracker.Version);
    }

    [Fact]
    public void Fail_WithStatusAndMessage_WritesErrorEntry()
    {
        var clock = TestRequests.NewClock();
        var tracker = new RequestTracker(clock);
        var request = tracker.Start(TestRequests.Start(provider: "anthropic", model: "claude-sonnet-4", streaming: true));
        clock.Advance(TimeSpan.FromMilliseconds(40));
        request.MarkFirstByte();
        request.AddEstimatedOutputTokens(12);
        clock.Advance(TimeSpan.FromMilliseconds(60));

        request.Fail(ErrorTypes.UpstreamHttpError, "upstream said no", 502);

        var error = Assert.Single(tracker.GetRecentErrors());
        Assert.Equal(ErrorTypes.UpstreamHttpError, error.ErrorType);
        Assert.Equal("upstream said no", error.ErrorMessage);
        Assert.Equal(502, error.StatusCode);
        Assert.Equal("anthropic", error.Provider);
        Assert.Equal("claude-sonnet-4", error.Model);
        Assert.Equal("anthropic:claude-sonnet-4", error.QualifiedModel);
        Assert.Equal(100, error.DurationMs);
        Assert.Equal(40, error.TtftMs);
        Assert.Equal(12, error.OutputTokens);
        Assert.True(error.TokensEstimated);
        Assert.Equal(error.StartTime + 0.1, error.EndTime, 3);
        Assert.Same(error, Assert.Single(tracker.GetRecentRequests()));
    }

    [Fact]
    public void Finalize_ConcurrentCompleteFailDispose_RecordsExactlyOnce()
    {
        const int Rounds = 300;
        var tracker = new RequestTracker(TimeProvider.System, new TrackerOptions { RecentRequestsCapacity = Rounds, RecentErrorsCapacity = Rounds });
        var winners = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var request = tracker.Start(TestRequests.Start());
            using var barrier = new Barrier(3);
            var threads = new[]
            {
                new Thread(() => { barrier.SignalAndWait(); if (request.Complete()) { Interlocked.Increment(ref winners); } }),
                new Thread(() => { barrier.SignalAndWait(); if (request.Fail(ErrorTypes.ClientDisconnect)) { Interlocked.Increment(ref winners); } }),
                new Thread(() => { barrier.SignalAndWait(); request.Dispose(); }),
            };
            foreach (var thread in threads)
            {
                thread.Start();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        var totals = tracker.GetRunningTotals().Summary;
        Assert.Equal(Rounds, totals.TotalRequests);
        Assert.Equal(Rounds, tracker.GetRecentRequests().Count);
        Assert.Equal(tracker.GetRecentErrors().Count, totals.TotalErrors);
        Assert.Equal(0, tracker.ActiveCount);
        Assert.Empty(tracker.GetActiveRequests());
        // Every round has exactly one winner: Complete/Fail returning true, or else Dispose's safety net.
        var disposeWins = tracker.GetRecentErrors().Count(e => e.ErrorType == ErrorTypes.UnexpectedError);
        Assert.Equal(Rounds, winners + disposeWins);
    }
}
