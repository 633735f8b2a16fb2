using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using Inflight.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.Logging.Abstractions;

namespace Inflight.Tests.Metrics;

/// <summary>The shared delta publisher on a fake clock: what a round sends, to whom, and when.</summary>
public sealed class ActiveRequestsDeltaPublisherTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void PublishRound_ProgressBurst_OneUpdateWithOnlyTheChangedFieldsAndClockOnTheIntervalRound()
    {
        var (time, tracker, publisher) = Create();
        using var request = Start(tracker);
        using var subscription = publisher.Subscribe();
        time.Advance(TimeSpan.FromSeconds(1));

        request.MarkFirstByte();
        for (var i = 0; i < 3; i++)
        {
            request.AddEstimatedOutputTokens(5);
        }

        publisher.PublishRound(includeClock: false);
        var update = Assert.Single(Read(subscription));
        Assert.Equal("request-update", update.EventType);
        var fields = JsonNode.Parse(update.Data)!.AsObject();
        Assert.Equal(request.RequestId, (string)fields["request_id"]!);
        Assert.Equal(15, (long)fields["output_tokens"]!);
        Assert.Equal("streaming", (string)fields["phase"]!);
        Assert.False(fields.ContainsKey("duration_ms"), "clock-only fields wait for the interval round");
        Assert.False(fields.ContainsKey("provider"), "an update carries only changed fields");

        // Nothing changed but the clock: a change round sends nothing, the interval round sends the clock.
        time.Advance(TimeSpan.FromSeconds(1));
        publisher.PublishRound(includeClock: false);
        Assert.Empty(Read(subscription));
        publisher.PublishRound(includeClock: true);
        var tick = JsonNode.Parse(Assert.Single(Read(subscription)).Data)!.AsObject();
        Assert.Equal(2000d, (double)tick["duration_ms"]!);
        Assert.False(tick.ContainsKey("output_tokens"));
    }

    [Fact]
    public void PublishRound_ManySubscribers_ShareTheSameEncodedFrames()
    {
        var (_, tracker, publisher) = Create();
        var subscriptions = Enumerable.Range(0, 100).Select(_ => publisher.Subscribe()).ToList();
        foreach (var subscription in subscriptions)
        {
            Assert.Empty(ReadFrames(subscription));
        }

        using var request = Start(tracker);
        publisher.PublishRound(includeClock: false);

        var frames = subscriptions.Select(s => Assert.Single(ReadFrames(s))).ToList();
        Assert.All(frames, f => Assert.Same(frames[0], f));
        Assert.Equal(1, publisher.RoundsPublished);
        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }

        Assert.Equal(0, publisher.SubscriberCount);
    }

    [Fact]
    public void Read_SubscriberFellOutOfTheRing_GetsAFreshSnapshotOfWhatTheOthersBuilt()
    {
        var (_, tracker, publisher) = Create(ringRounds: 4);
        using var reader = publisher.Subscribe();
        using var slow = publisher.Subscribe();
        var state = Records(Parse(reader.Snapshot).Single());
        var lastId = 0L;
        var requests = new List<TrackedRequest>();
        for (var i = 0; i < 10; i++)
        {
            if (i > 0)
            {
                requests[^1].AddEstimatedOutputTokens(i);
            }

            if (i == 5)
            {
                requests[0].Fail("upstream_timeout", "slow", 504);
            }

            requests.Add(Start(tracker));
            publisher.PublishRound(includeClock: false);

            // The reader keeps up; the slow one reads nothing, and the rounds never wait for it.
            foreach (var item in Read(reader))
            {
                lastId = long.Parse(item.EventId!, CultureInfo.InvariantCulture);
                DeltaReplay.Apply(state, item);
            }
        }

        var resync = Assert.Single(Read(slow));
        Assert.Equal("snapshot", resync.EventType);
        Assert.True(long.Parse(resync.EventId!, CultureInfo.InvariantCulture) > lastId);
        var fresh = Records(resync);
        Assert.Equal(9, fresh.Count);
        Assert.Equal(state.Keys.Order(), fresh.Keys.Order());
        Assert.All(fresh, pair => Assert.Equal(state[pair.Key].ToJsonString(), pair.Value.ToJsonString()));

        // Back in step: the next round reaches both, as the same event.
        requests[^1].AddToolCalls(1);
        publisher.PublishRound(includeClock: false);
        Assert.Equal(Read(reader).Single().EventId, Read(slow).Single().EventId);
        foreach (var request in requests)
        {
            request.Dispose();
        }
    }

    [Fact]
    public void PublishRound_RequestStartsAndEndsBetweenRounds_SendsItsStartThenItsEnd()
    {
        var (_, tracker, publisher) = Create();
        using var subscription = publisher.Subscribe();

        var quick = Start(tracker);
        quick.Fail("upstream_http_error", "boom", 500);
        publisher.PublishRound(includeClock: false);

        var events = Read(subscription);
        Assert.Equal(["request-start", "request-end"], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal(quick.RequestId, (string)JsonNode.Parse(e.Data)!["request_id"]!));
        Assert.Equal("upstream_http_error", (string)JsonNode.Parse(events[1].Data)!["error_type"]!);
    }

    [Fact]
    public void Subscribe_AfterEveryoneLeft_SnapshotIsCurrentAndNoStaleEndsFollow()
    {
        var (_, tracker, publisher) = Create();
        var gone = Start(tracker);
        using (var first = publisher.Subscribe())
        {
            Assert.Equal([gone.RequestId], Records(Parse(first.Snapshot).Single()).Keys);
        }

        gone.Complete();
        using var later = Start(tracker);

        using var second = publisher.Subscribe();
        var ids = Records(Parse(second.Snapshot).Single()).Keys;
        Assert.Equal([later.RequestId], ids);
        publisher.PublishRound(includeClock: false);
        Assert.Empty(Read(second));
    }

    [Fact]
    public async Task Publisher_StartAfterQuietPeriod_PublishedWithoutWaitingForATimer()
    {
        var (time, tracker, publisher) = Create();
        using var subscription = publisher.Subscribe();
        await publisher.StartAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(1));

        using var request = Start(tracker);

        await subscription.WaitAsync(Ct).WaitAsync(MetricsTestHost.Timeout, Ct);
        var start = Assert.Single(Read(subscription));
        Assert.Equal("request-start", start.EventType);
        Assert.Contains(request.RequestId, start.Data, StringComparison.Ordinal);
        await publisher.StopAsync(Ct);
    }

    [Fact]
    public async Task Publisher_StartDuringAProgressWindow_WaitsOnlyTheMembershipWindow()
    {
        var (time, tracker, publisher) = Create();
        using var streaming = Start(tracker);
        using var subscription = publisher.Subscribe();
        await publisher.StartAsync(Ct);

        // Watched and quiet: the publisher waits for the next clock slice.
        var slice = ActiveRequestsDeltaPublisher.ClockSlicePeriod;
        Assert.Equal(slice, await time.NextTimerAsync());
        time.Advance(slice / 2);
        streaming.AddEstimatedOutputTokens(1);
        await subscription.WaitAsync(Ct).WaitAsync(MetricsTestHost.Timeout, Ct);
        Assert.Equal("request-update", Assert.Single(Read(subscription)).EventType);
        Assert.Equal(slice / 2, await time.NextTimerAsync());

        // Progress right after a round waits out the progress window; a start cuts it to the membership window.
        streaming.AddEstimatedOutputTokens(1);
        Assert.Equal(ActiveRequestsDeltaPublisher.ProgressWindow, await time.NextTimerAsync());
        using var started = Start(tracker);
        Assert.Equal(ActiveRequestsDeltaPublisher.MembershipWindow, await time.NextTimerAsync());
        time.Advance(ActiveRequestsDeltaPublisher.MembershipWindow);

        await subscription.WaitAsync(Ct).WaitAsync(MetricsTestHost.Timeout, Ct);
        var events = Read(subscription);
        Assert.Contains(events, e => e.EventType == "request-start" && e.Data.Contains(started.RequestId, StringComparison.Ordinal));
        Assert.Contains(events, e => e.EventType == "request-update" && e.Data.Contains(streaming.RequestId, StringComparison.Ordinal));
        await publisher.StopAsync(Ct);
    }

    [Fact]
    public async Task Publisher_ClockRounds_TickEachRequestOncePerIntervalInSlices()
    {
        var (time, tracker, publisher) = Create();
        var requests = Enumerable.Range(0, 3).Select(_ => Start(tracker)).ToList();
        using var subscription = publisher.Subscribe();
        await publisher.StartAsync(Ct);
        var slice = ActiveRequestsDeltaPublisher.ClockSlicePeriod;
        var slices = (int)(s_interval / slice);
        var ticks = new List<(int Slice, string RequestId, double DurationMs)>();
        for (var i = 0; i < 2 * slices; i++)
        {
            Assert.Equal(slice, await time.NextTimerAsync());
            time.Advance(slice);
            if (i % slices < requests.Count)
            {
                // This slice ticks one of the three: no round carries every request's clock.
                await subscription.WaitAsync(Ct).WaitAsync(MetricsTestHost.Timeout, Ct);
                var tick = JsonNode.Parse(Assert.Single(Read(subscription)).Data)!;
                ticks.Add((i, (string)tick["request_id"]!, (double)tick["duration_ms"]!));
            }
        }

        Assert.Equal(2 * requests.Count, ticks.Count);
        Assert.All(requests, r => Assert.Equal(2, ticks.Count(t => t.RequestId == r.RequestId)));
        Assert.All(ticks, t => Assert.Equal((t.Slice + 1) * slice.TotalMilliseconds, t.DurationMs));
        await publisher.StopAsync(Ct);
        foreach (var request in requests)
        {
            request.Dispose();
        }
    }

    private static (TimerWatchingTimeProvider Time, RequestTracker Tracker, ActiveRequestsDeltaPublisher Publisher) Create(int ringRounds = ActiveRequestsDeltaPublisher.DefaultRingRounds)
    {
        var time = new TimerWatchingTimeProvider();
        var membership = new ActiveRequestsMembership();
        var tracker = new RequestTracker(time, observers: [membership]);
        var publisher = new ActiveRequestsDeltaPublisher(new ActiveView(tracker, null, time), membership, time, s_interval, ringRounds, ActiveRequestsDeltaPublisher.DefaultRingBytes, NullLogger.Instance);
        return (time, tracker, publisher);
    }

    private static TrackedRequest Start(RequestTracker tracker) => tracker.Start(new RequestStart
    {
        Provider = "openai",
        RequestedModel = "openai:gpt-test",
        ResolvedModel = "gpt-test",
        IsStreaming = true,
        ClientFormat = "anthropic",
        UpstreamFormat = "openai",
        ClientName = "claude-cli",
        SessionId = "session-1",
        UserId = "user-1",
        KeyLabel = "ci",
    });

    private static List<byte[]> ReadFrames(ActiveRequestsDeltaSubscription subscription)
    {
        var frames = new List<byte[]>();
        subscription.Read(frames);
        return frames;
    }

    private static List<SseItem<string>> Read(ActiveRequestsDeltaSubscription subscription)
        => [.. ReadFrames(subscription).SelectMany(Parse)];

    private static List<SseItem<string>> Parse(byte[] frame)
        => [.. SseParser.Create(new MemoryStream(frame)).Enumerate()];

    private static Dictionary<string, JsonObject> Records(SseItem<string> snapshot)
        => JsonNode.Parse(snapshot.Data)!["active_requests"]!.AsArray().ToDictionary(r => (string)r!["request_id"]!, r => r!.AsObject());
}
