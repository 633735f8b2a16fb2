namespace Inflight.Tracking.Tests;

public sealed class RequestTrackerTests
{
    [Fact]
    public void Start_Observer_ToldOnceWithTheRequestAlreadyActive()
    {
        var observer = new StartObserver();
        var tracker = new RequestTracker(TestRequests.NewClock(), observers: [observer]);
        observer.Tracker = tracker;

        using var request = tracker.Start(TestRequests.Start());

        Assert.Equal([(request.RequestId, true)], observer.Started);
    }

    [Fact]
    public void Dispose_WithoutCompletion_RemovesRequestFromActive()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = tracker.Start(new RequestStart { Provider = "p", RequestedModel = "m", ResolvedModel = "m", ClientFormat = "openai", UpstreamFormat = "openai" });
        Assert.Single(tracker.GetActiveRequests());

        request.Dispose();

        Assert.Empty(tracker.GetActiveRequests());
    }

    [Fact]
    public void Start_WithoutId_AssignsUniqueIds()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        using var a = tracker.Start(TestRequests.Start());
        using var b = tracker.Start(TestRequests.Start());

        Assert.StartsWith("req_", a.RequestId, StringComparison.Ordinal);
        Assert.NotEqual(a.RequestId, b.RequestId);
    }

    [Fact]
    public void Start_WithoutId_IdIsTheStartMillisecondsAndSequenceInHex()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        using var first = tracker.Start(TestRequests.Start());
        var minted = tracker.NewRequestId();

        var milliseconds = TestRequests.Epoch.ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"req_{milliseconds}0001", first.RequestId);
        Assert.Equal($"req_{milliseconds}0002", minted);
    }

    [Fact]
    public void Start_DuplicateActiveId_Throws()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var first = tracker.Start(TestRequests.Start(id: "same"));

        Assert.Throws<InvalidOperationException>(() => tracker.Start(TestRequests.Start(id: "same")));
        Assert.Equal(1, tracker.ActiveCount);
    }

    [Fact]
    public void GetActiveRequests_SameClockTick_NewestFirst()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());

        using var first = tracker.Start(TestRequests.Start(id: "first"));
        using var second = tracker.Start(TestRequests.Start(id: "second"));
        using var third = tracker.Start(TestRequests.Start(id: "third"));

        Assert.Equal(["third", "second", "first"], tracker.GetActiveRequests().Select(r => r.RequestId));
    }

    [Fact]
    public void ActiveCount_StartAndFinish_Tracks()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var a = tracker.Start(TestRequests.Start());
        var b = tracker.Start(TestRequests.Start());
        Assert.Equal(2, tracker.ActiveCount);

        a.Complete();
        b.Fail(ErrorTypes.Timeout);

        Assert.Equal(0, tracker.ActiveCount);
    }

    [Fact]
    public void Version_StartProgressFinish_IncrementsEachTime()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var v0 = tracker.Version;
        var request = tracker.Start(TestRequests.Start());
        var v1 = tracker.Version;
        request.MarkFirstByte();
        var v2 = tracker.Version;
        request.AddEstimatedOutputTokens(1);
        var v3 = tracker.Version;
        request.Complete();
        var v4 = tracker.Version;

        Assert.True(v0 < v1 && v1 < v2 && v2 < v3 && v3 < v4);
    }

    [Fact]
    public async Task WaitForChangeAsync_VersionAlreadyNewer_ReturnsAtOnce()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var request = tracker.Start(TestRequests.Start());

        var version = await tracker.WaitForChangeAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(tracker.Version, version);
    }

    public static TheoryData<string> Changes => ["start", "first_byte", "tokens", "usage", "tools", "complete", "fail", "dispose"];

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task WaitForChangeAsync_Change_WakesWaiter(string change)
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        var request = change == "start" ? null : tracker.Start(TestRequests.Start());
        var known = tracker.Version;
        var waiting = tracker.WaitForChangeAsync(known, TestContext.Current.CancellationToken).AsTask();
        Assert.False(waiting.IsCompleted);

        switch (change)
        {
            case "start": tracker.Start(TestRequests.Start()); break;
            case "first_byte": request!.MarkFirstByte(); break;
            case "tokens": request!.AddEstimatedOutputTokens(3); break;
            case "usage": request!.ReportUsage(outputTokens: 3); break;
            case "tools": request!.AddToolCalls(1); break;
            case "complete": request!.Complete(); break;
            case "fail": request!.Fail(ErrorTypes.ApiError); break;
            default: request!.Dispose(); break;
        }

        var version = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(version > known);
    }

    [Fact]
    public async Task WaitForChangeAsync_Cancelled_Throws()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var waiting = tracker.WaitForChangeAsync(tracker.Version, cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WaitForChangeAsync_ManyWaitersAndThreadedChanges_NoneMissed()
    {
        var tracker = new RequestTracker(TimeProvider.System);
        using var request = tracker.Start(TestRequests.Start());
        var ct = TestContext.Current.CancellationToken;

        // Each waiter chases the version until it has seen the last change; a lost wake-up would hang it.
        const int Changes = 2000;
        var target = tracker.Version + Changes;
        var waiters = Enumerable.Range(0, 8).Select(_ => Task.Run(
            async () =>
            {
                var known = 0L;
                while (known < target)
                {
                    known = await tracker.WaitForChangeAsync(known, ct);
                }
            },
            ct)).ToArray();
        var producer = new Thread(() =>
        {
            for (var i = 0; i < Changes; i++)
            {
                request.AddEstimatedOutputTokens(1);
            }
        });
        producer.Start();
        producer.Join();

        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(target, tracker.Version);
    }

    [Fact]
    public void GetRecentRequests_MoreThanCapacity_KeepsNewestFirst()
    {
        var tracker = new RequestTracker(TestRequests.NewClock(), new TrackerOptions { RecentRequestsCapacity = 3, RecentErrorsCapacity = 2 });
        for (var i = 0; i < 5; i++)
        {
            var request = tracker.Start(TestRequests.Start(id: "r" + i));
            if (i % 2 == 0)
            {
                request.Fail(ErrorTypes.RateLimit, "slow down", 429);
            }
            else
            {
                request.Complete();
            }
        }

        Assert.Equal(["r4", "r3", "r2"], tracker.GetRecentRequests().Select(e => e.RequestId));
        Assert.Equal(["r4", "r3"], tracker.GetRecentRequests(limit: 2).Select(e => e.RequestId));
        Assert.Equal(["r4", "r2"], tracker.GetRecentErrors().Select(e => e.RequestId));
        Assert.Equal(["r4"], tracker.GetRecentErrors(limit: 1).Select(e => e.RequestId));
        Assert.Empty(tracker.GetRecentErrors(limit: 0));
    }

    [Fact]
    public void GetRecentRequests_DefaultOptions_BoundedAt200And100()
    {
        var tracker = new RequestTracker(TestRequests.NewClock());
        for (var i = 0; i < 250; i++)
        {
            tracker.Start(TestRequests.Start()).Fail(ErrorTypes.ApiError);
        }

        Assert.Equal(200, tracker.GetRecentRequests().Count);
        Assert.Equal(100, tracker.GetRecentErrors().Count);
    }

    [Fact]
    public void RecentEntry_Success_CarriesFinalFigures()
    {
        var clock = TestRequests.NewClock();
        var tracker = new RequestTracker(clock);
        var request = tracker.Start(TestRequests.Start(streaming: true, toolUses: 1, toolResults: 1));
        clock.Advance(TimeSpan.FromMilliseconds(30));
        request.MarkFirstByte();
        request.AddEstimatedOutputTokens(9);
        request.ReportUsage(inputTokens: 100, outputTokens: 20, cacheReadTokens: 50, cacheCreationTokens: 10);
        request.AddToolCalls(2);
        clock.Advance(TimeSpan.FromMilliseconds(70));

        request.Complete(200);

        var entry = Assert.Single(tracker.GetRecentRequests());
        Assert.Equal(RequestStatus.Success, entry.Status);
        Assert.Equal(200, entry.StatusCode);
        Assert.Null(entry.ErrorType);
        Assert.Equal(100, entry.DurationMs);
        Assert.Equal(30, entry.TtftMs);
        Assert.Equal((100, 20, 50, 10), (entry.InputTokens, entry.OutputTokens, entry.CacheReadTokens, entry.CacheCreationTokens));
        Assert.False(entry.TokensEstimated);
        Assert.Equal((1, 1, 2), (entry.ToolUses, entry.ToolResults, entry.ToolCalls));
        Assert.Equal("anthropic", entry.ClientFormat);
        Assert.Equal("openai", entry.UpstreamFormat);
        Assert.Empty(tracker.GetRecentErrors());
    }

    private sealed class StartObserver : IRequestObserver
    {
        public RequestTracker? Tracker { get; set; }

        public List<(string RequestId, bool Active)> Started { get; } = [];

        public void OnStarted(TrackedRequest request) => Started.Add((request.RequestId, Tracker!.FindActive(request.RequestId) is not null));

        public void OnFinished(TrackedRequest request, RequestLogEntry entry)
        {
        }
    }
}
