using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Inflight.Tracking;

namespace Inflight.Tests.Metrics;

public sealed class ActiveRequestsDeltaStreamTests
{
    private const string DeltaPath = MetricsTestHost.StreamPath + "?mode=delta";

    // Fields that move with the clock alone; two snapshots taken apart always differ in them.
    private static readonly string[] s_clockFields = ["duration_ms", "idle_ms", "tokens_per_second"];

    [Fact]
    public async Task DeltaStream_DeltasReplayedOntoFirstSnapshot_GiveLaterSnapshot()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var existing = host.StartRequest("model-a");
        var ending = host.StartRequest("model-b");
        await using var stream = await SseTestStream.OpenAsync(client, path: DeltaPath);
        var first = await stream.NextAsync();
        Assert.Equal("snapshot", first.EventType);
        var state = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var record in JsonNode.Parse(first.Data)!["active_requests"]!.AsArray())
        {
            state[(string)record!["request_id"]!] = record.AsObject();
        }

        Assert.Equal(2, state.Count);
        existing.MarkFirstByte();
        existing.AddEstimatedOutputTokens(40);
        ending.Fail("upstream_timeout", "slow", 504);
        using var started = host.StartRequest("model-c");
        started.AddToolCalls(2);

        var ids = new List<long> { long.Parse(first.EventId!, System.Globalization.CultureInfo.InvariantCulture) };
        var ended = new List<JsonObject>();
        var updates = new List<JsonObject>();
        while (!SameRequests(state, Current(host)))
        {
            var item = await stream.NextAsync();
            ids.Add(long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture));
            var data = JsonNode.Parse(item.Data)!.AsObject();
            var id = (string)data["request_id"]!;
            switch (item.EventType)
            {
                case "request-start":
                    state.Add(id, data);
                    break;
                case "request-update":
                    updates.Add(data);
                    foreach (var (name, value) in data)
                    {
                        state[id][name] = value?.DeepClone();
                    }

                    break;
                case "request-end":
                    ended.Add(data);
                    Assert.True(state.Remove(id));
                    break;
                default:
                    Assert.Fail("unexpected event " + item.EventType);
                    break;
            }
        }

        var end = Assert.Single(ended);
        Assert.Equal(ending.RequestId, (string)end["request_id"]!);
        Assert.Equal("error", (string)end["status"]!);
        Assert.Equal("upstream_timeout", (string)end["error_type"]!);
        Assert.Contains(updates, u => (string)u["request_id"]! == existing.RequestId && (long)u["output_tokens"]! == 40 && (string)u["phase"]! == "streaming");
        Assert.All(updates, u => Assert.False(u.ContainsKey("provider"), "an update carries only changed fields"));
        Assert.Equal(ids.Order().ToList(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // A fresh connection's snapshot is the state the deltas built.
        await using var later = await SseTestStream.OpenAsync(client, lastEventId: ids[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), path: DeltaPath);
        var resumed = await later.NextAsync();
        Assert.Equal("snapshot", resumed.EventType);
        Assert.True(long.Parse(resumed.EventId!, System.Globalization.CultureInfo.InvariantCulture) > ids[^1]);
        var fresh = JsonNode.Parse(resumed.Data)!["active_requests"]!.AsArray().ToDictionary(r => (string)r!["request_id"]!, r => r!.AsObject());
        Assert.True(SameRequests(state, fresh));
        existing.Dispose();
    }

    [Fact]
    public async Task DeltaStream_RequestStartsAndEndsBetweenRounds_StillSendsItsStartAndEnd()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        host.StartRequest("before-connect").Complete();
        await using var stream = await SseTestStream.OpenAsync(client, path: DeltaPath);
        Assert.Equal("snapshot", (await stream.NextAsync()).EventType);

        // Started and finished at once: no round ever sees it active.
        var quick = host.StartRequest("quick");
        quick.Fail("upstream_http_error", "boom", 500);

        var end = await stream.WaitForAsync(e => e.EventType == "request-end");
        var data = JsonNode.Parse(end.Data)!;
        Assert.Equal(quick.RequestId, (string)data["request_id"]!);
        Assert.Equal("upstream_http_error", (string)data["error_type"]!);
        var start = Assert.Single(stream.Received, e => e.EventType == "request-start");
        Assert.Equal(quick.RequestId, (string)JsonNode.Parse(start.Data)!["request_id"]!);
        Assert.True(long.Parse(start.EventId!, CultureInfo.InvariantCulture) < long.Parse(end.EventId!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DeltaStream_ManySubscribers_ReceiveIdenticalEventsAndIds()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var streams = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SseTestStream.OpenAsync(client, path: DeltaPath)));
        try
        {
            foreach (var stream in streams)
            {
                Assert.Equal("snapshot", (await stream.NextAsync()).EventType);
            }

            var requests = Enumerable.Range(0, 5).Select(i => host.StartRequest("model-" + i)).ToList();
            foreach (var request in requests)
            {
                request.MarkFirstByte();
                request.AddEstimatedOutputTokens(7);
            }

            foreach (var request in requests)
            {
                request.Complete();
            }

            // Ends go out in the order requests finished, so the last one's end closes every stream's sequence.
            foreach (var stream in streams)
            {
                await stream.WaitForAsync(e => e.EventType == "request-end" && e.Data.Contains(requests[^1].RequestId, StringComparison.Ordinal));
            }

            var sequences = streams.Select(s => s.Received.Where(e => e.EventType != "snapshot").Select(e => $"{e.EventId} {e.EventType} {e.Data}").ToList()).ToList();
            Assert.All(sequences, sequence => Assert.Equal(sequences[0], sequence));
            Assert.All(requests, r => Assert.Contains(sequences[0], e => e.Contains(" request-start ", StringComparison.Ordinal) && e.Contains(r.RequestId, StringComparison.Ordinal)));
            Assert.All(requests, r => Assert.Contains(sequences[0], e => e.Contains(" request-end ", StringComparison.Ordinal) && e.Contains(r.RequestId, StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DeltaStream_ResumeWithLastEventId_FreshSnapshotThenTheChangesSinceIt()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        using var stays = host.StartRequest("stays");
        var finishing = host.StartRequest("finishing");
        string lastId;
        await using (var first = await SseTestStream.OpenAsync(client, path: DeltaPath))
        {
            Assert.Equal("snapshot", (await first.NextAsync()).EventType);
            stays.AddEstimatedOutputTokens(3);
            lastId = (await first.WaitForAsync(e => e.EventType == "request-update")).EventId!;
        }

        // While the watcher is away: one request ends, one starts, one moves on.
        finishing.Complete();
        using var arrived = host.StartRequest("arrived");
        stays.AddToolCalls(1);

        await using var resumed = await SseTestStream.OpenAsync(client, lastEventId: lastId, path: DeltaPath);
        var snapshot = await resumed.NextAsync();
        Assert.Equal("snapshot", snapshot.EventType);
        Assert.True(long.Parse(snapshot.EventId!, CultureInfo.InvariantCulture) > long.Parse(lastId, CultureInfo.InvariantCulture));
        var state = JsonNode.Parse(snapshot.Data)!["active_requests"]!.AsArray().ToDictionary(r => (string)r!["request_id"]!, r => r!.AsObject());
        while (!SameRequests(state, Current(host)))
        {
            var item = await resumed.NextAsync();
            Assert.True(long.Parse(item.EventId!, CultureInfo.InvariantCulture) > long.Parse(lastId, CultureInfo.InvariantCulture), "nothing is replayed");
            DeltaReplay.Apply(state, item);
        }

        Assert.Equal(new[] { stays.RequestId, arrived.RequestId }.Order(), state.Keys.Order());
        Assert.Equal(1, (int)state[stays.RequestId]["tool_calls"]!);
    }

    [Fact]
    public async Task DeltaStream_StalledReader_OthersGetEveryEvent()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        // Opened, never read: its socket fills while the other stream keeps up.
        using var stalled = await client.GetAsync(DeltaPath, HttpCompletionOption.ResponseHeadersRead, ct).WaitAsync(MetricsTestHost.Timeout, ct);
        await using var reader = await SseTestStream.OpenAsync(client, path: DeltaPath);
        Assert.Equal("snapshot", (await reader.NextAsync()).EventType);
        var active = new List<TrackedRequest>();
        for (var i = 0; i < 100; i++)
        {
            var started = host.StartRequest("a-rather-long-model-name-to-make-the-records-bigger-" + new string('x', 400));
            active.Add(started);
            await reader.WaitForAsync(e => e.EventType == "request-start" && e.Data.Contains(started.RequestId, StringComparison.Ordinal));
        }

        foreach (var request in active)
        {
            request.Complete();
        }

        await reader.WaitForAsync(e => e.EventType == "request-end" && e.Data.Contains(active[^1].RequestId, StringComparison.Ordinal));
        Assert.Equal(100, reader.Received.Count(e => e.EventType == "request-end"));
    }

    [Fact]
    public async Task DeltaStream_UnknownMode_Returns400()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();

        using var response = await client.GetAsync(MetricsTestHost.StreamPath + "?mode=full", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static Dictionary<string, JsonObject> Current(MetricsTestHost host)
        => host.Tracker.GetActiveRequests().ToDictionary(r => r.RequestId, r => System.Text.Json.JsonSerializer.SerializeToNode(r, Inflight.Metrics.MetricsJsonContext.Default.ActiveRequestSnapshot)!.AsObject());

    private static bool SameRequests(Dictionary<string, JsonObject> a, Dictionary<string, JsonObject> b)
        => a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && WithoutClock(pair.Value).ToJsonString() == WithoutClock(other).ToJsonString());

    private static JsonObject WithoutClock(JsonObject record)
    {
        var copy = record.DeepClone().AsObject();
        foreach (var field in s_clockFields)
        {
            copy.Remove(field);
        }

        return copy;
    }
}
