using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Inflight.Tests.Metrics;

namespace Inflight.Tests.Cluster;

/// <summary>
/// Three replicas as real processes on one real Redis (Debian's redis-server on a loopback port), each test with
/// its own Redis and replicas. Conditions are awaited by polling with a generous deadline.
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SlowStream_OnReplicaA_ShowsOnBAndCWithLiveTokens()
    {
        await using var cluster = await TestCluster.StartAsync();
        var (a, b, c) = (cluster.Replicas[0], cluster.Replicas[1], cluster.Replicas[2]);
        await using var updates = await SseTestStream.OpenAsync(b.Client, path: "metrics/active-requests/stream");
        await using var deltas = await SseTestStream.OpenAsync(c.Client, path: "metrics/active-requests/stream?mode=delta");

        var (requestId, response) = await StartStreamAsync(a);
        foreach (var replica in new[] { b, c })
        {
            var first = await WaitForRecordAsync(replica, requestId, r => r["output_tokens"]!.GetValue<long>() > 0);
            Assert.Equal("a", first["replica"]!.GetValue<string>());
            var tokens = first["output_tokens"]!.GetValue<long>();
            await WaitForRecordAsync(replica, requestId, r => r["output_tokens"]!.GetValue<long>() > tokens);
        }

        var view = await b.GetJsonAsync("metrics/active-requests");
        Assert.Equal(["a", "b", "c"], view["replicas"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.False(view["cluster"]!["partial"]!.GetValue<bool>());

        var update = await updates.WaitForAsync(e => e.EventType == "update" && e.Data.Contains(requestId, StringComparison.Ordinal));
        Assert.Equal("a", Record(JsonNode.Parse(update.Data)!, requestId)!["replica"]!.GetValue<string>());
        var start = await deltas.WaitForAsync(e => e.EventType is "snapshot" or "request-start" && e.Data.Contains(requestId, StringComparison.Ordinal));
        Assert.Contains("\"replica\":\"a\"", start.Data, StringComparison.Ordinal);

        cluster.Upstream.Release();
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await deltas.WaitForAsync(e => e.EventType == "request-end" && e.Data.Contains(requestId, StringComparison.Ordinal));
        var logs = await PollAsync(() => b.GetJsonAsync("metrics/logs"), l => Entry(l, requestId) is not null, "B's logs list the request A finished");
        Assert.Equal("a", Entry(logs, requestId)!["replica"]!.GetValue<string>());
        Assert.Equal("success", Entry(logs, requestId)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_SentToReplicaC_StopsTheRequestOnA()
    {
        await using var cluster = await TestCluster.StartAsync();
        var (a, c) = (cluster.Replicas[0], cluster.Replicas[2]);
        var (requestId, response) = await StartStreamAsync(a);
        await WaitForRecordAsync(c, requestId, _ => true);

        using var cancel = await c.Client.PostAsync($"metrics/active-requests/{requestId}/cancel", null, Ct);
        var body = JsonNode.Parse(await cancel.Content.ReadAsStringAsync(Ct))!;

        // 202 with the final entry once A acknowledged; on a machine too loaded for A to answer within the
        // cancel's wait, 202 with cancel_requested (the flag stays and A acts on its next beat).
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("a", body["replica"]?.GetValue<string>());
        Assert.Equal(body["status"]?.GetValue<string>() == "cancel_requested" ? null : "cancelled", body["error_type"]?.GetValue<string>());
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct).WaitAsync(s_deadline, Ct);
            Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
        }

        var logs = await PollAsync(() => a.GetJsonAsync("metrics/logs"), l => Entry(l, requestId) is not null, "A's logs list the cancelled request");
        Assert.Equal("cancelled", Entry(logs, requestId)!["error_type"]!.GetValue<string>());
        Assert.Contains("via replica c", Entry(logs, requestId)!["cancelled_by"]!.GetValue<string>(), StringComparison.Ordinal);
        await PollAsync(() => Task.FromResult(cluster.Upstream.AbortedStreams), n => n == 1, "the upstream call was aborted");
    }

    [Fact]
    public async Task RequestDetail_OfARequestOnAnotherReplica_ShowsItsRecordTimelineAndOwnerButNoContent()
    {
        await using var cluster = await TestCluster.StartAsync(ids: ["a", "b"], settings: new Dictionary<string, string?> { ["VDM_CAPTURE_CONTENT"] = "true" });
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        var (requestId, response) = await StartStreamAsync(a);

        // The owner shows its content peek; B shows the record and the detail A published, and says where the peek is.
        var owner = await PollAsync(() => GetDetailAsync(a, requestId), d => d?["content"]?["output_tail"]?.GetValue<string>().Contains("word word", StringComparison.Ordinal) == true, "A's detail shows the streamed text");
        Assert.Equal("a", owner!["replica"]!.GetValue<string>());
        Assert.False(owner["remote"]!.GetValue<bool>());
        Assert.Equal("a", owner["record"]!["replica"]!.GetValue<string>());
        var remote = (await PollAsync(
            () => GetDetailAsync(b, requestId),
            d => d?["record"]?["output_tokens"]?.GetValue<long>() > 0 && d["timeline"]?["first_token_at"] is not null,
            "B shows the detail of A's request with live tokens"))!;
        Assert.Equal("active", remote["state"]!.GetValue<string>());
        Assert.Equal("a", remote["replica"]!.GetValue<string>());
        Assert.True(remote["remote"]!.GetValue<bool>());
        Assert.Equal("a", remote["record"]!["replica"]!.GetValue<string>());
        Assert.Equal(200, remote["upstream_status"]!.GetValue<int>());
        Assert.Equal(owner["timeline"]!["received_at"]!.GetValue<double>(), remote["timeline"]!["received_at"]!.GetValue<double>());
        Assert.Equal(owner["client_name"]!.GetValue<string>(), remote["client_name"]!.GetValue<string>());
        Assert.Null(remote["content"]);
        Assert.Contains("owner replica 'a'", remote["content_unavailable"]!.GetValue<string>(), StringComparison.Ordinal);

        // Content never travels through Redis: neither the answer's text nor the last user message.
        var stored = await cluster.Redis.ReadEverythingAsync();
        Assert.Contains(requestId, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("word word", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(UserText, stored, StringComparison.Ordinal);

        cluster.Upstream.Release();
        using (response)
        {
            Assert.Contains("[DONE]", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var finished = (await PollAsync(() => GetDetailAsync(b, requestId), d => d?["state"]?.GetValue<string>() == "finished", "B shows the detail of A's finished request"))!;
        Assert.Equal("a", finished["replica"]!.GetValue<string>());
        Assert.True(finished["remote"]!.GetValue<bool>());
        Assert.Equal("success", finished["record"]!["status"]!.GetValue<string>());
        Assert.Equal("a", finished["record"]!["replica"]!.GetValue<string>());
        Assert.Equal(200, finished["upstream_status"]!.GetValue<int>());
        Assert.Equal(owner["timeline"]!["received_at"]!.GetValue<double>(), finished["timeline"]!["received_at"]!.GetValue<double>());
        Assert.NotNull(finished["timeline"]!["first_token_at"]);
        Assert.NotNull(finished["timeline"]!["finished_at"]);
        Assert.Null(finished["content_unavailable"]);

        using var unknown = await b.Client.GetAsync("metrics/active-requests/no-such-request", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("on any replica", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_InClusterMode_EntriesNameTheirReplicaInMemoryAndInTheStore()
    {
        await using var cluster = await TestCluster.StartAsync(ids: ["a", "b"], settings: new Dictionary<string, string?> { ["INFLIGHT_DATABASE_URL"] = "sqlite:history.db" });
        cluster.Upstream.Release();
        var ids = new List<string>();
        foreach (var replica in cluster.Replicas)
        {
            using var result = await replica.Client.PostAsync("v1/chat/completions", ChatBody(stream: false), Ct);
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
            ids.Add(result.Headers.GetValues("x-inflight-request-id").Single());
        }

        // Each replica's store holds its own rows (SQLite per replica), each naming the replica that served it.
        for (var i = 0; i < 2; i++)
        {
            var replica = cluster.Replicas[i];
            var stored = await PollAsync(() => replica.GetJsonAsync("metrics/logs?source=store"), l => Entry(l, ids[i]) is not null, $"{replica.Id}'s store lists its request");
            Assert.Equal(replica.Id, Entry(stored, ids[i])!["replica"]!.GetValue<string>());
        }

        var recent = await PollAsync(() => cluster.Replicas[0].GetJsonAsync("metrics/logs"), l => ids.All(id => Entry(l, id) is not null), "A's recent log lists both replicas' requests");
        Assert.Equal(["a", "b"], ids.Select(id => Entry(recent, id)!["replica"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Sigkill_ReplicaA_ItsRequestsTurnReplicaLostOnB()
    {
        const double heartbeat = 1.5;
        await using var cluster = await TestCluster.StartAsync(heartbeat);
        var (a, b) = (cluster.Replicas[0], cluster.Replicas[1]);
        var (requestId, response) = await StartStreamAsync(a);
        await WaitForRecordAsync(b, requestId, _ => true);

        var killed = Stopwatch.StartNew();
        await a.KillAsync();
        var logs = await PollAsync(() => b.GetJsonAsync("metrics/logs"), l => Entry(l, requestId) is not null, "B ends A's request");
        var lostAfter = killed.Elapsed;
        response.Dispose();

        var entry = Entry(logs, requestId)!;
        Assert.Equal("error", entry["status"]!.GetValue<string>());
        Assert.Equal("replica_lost", entry["error_type"]!.GetValue<string>());
        Assert.Equal("a", entry["replica"]!.GetValue<string>());
        var view = await b.GetJsonAsync("metrics/active-requests");
        Assert.Null(Record(view, requestId));
        Assert.DoesNotContain("a", view["replicas"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
        var counted = await PollAsync(() => b.GetJsonAsync("metrics/active-requests"), v => v["cluster"]!["replica_lost"]!.GetValue<long>() == 1, "the cluster counts one lost request");
        Assert.Equal(1, counted["cluster"]!["replica_lost"]!.GetValue<long>());
        var totals = await PollAsync(() => b.GetJsonAsync("metrics/running-totals?format=json"), t => t["summary"]!["total_errors"]!.GetValue<long>() == 1, "B's totals count the lost request as an error");
        Assert.Equal(1, totals["summary"]!["total_requests"]!.GetValue<long>());
        output.WriteLine($"SIGKILL to replica_lost on B: {lostAfter.TotalMilliseconds:F0} ms (heartbeat {heartbeat} s, three beats {3 * heartbeat} s)");
    }

    [Fact]
    public async Task RedisStopped_MidTraffic_NoClientRequestFailsAndTheViewGoesPartialThenRecovers()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Upstream.Release();
        var b = cluster.Replicas[1];
        using var traffic = new CancellationTokenSource();
        var failures = new List<string>();
        var sent = 0;
        var loop = Task.Run(async () =>
        {
            // Bounded: at most 2,000 requests, and it stops when the test says so.
            for (var i = 0; i < 2000 && !traffic.IsCancellationRequested; i++)
            {
                var replica = cluster.Replicas[i % 3];
                using var result = await replica.Client.PostAsync("v1/chat/completions", ChatBody(stream: i % 2 == 0), Ct);
                var text = await result.Content.ReadAsStringAsync(Ct);
                Interlocked.Increment(ref sent);
                if (result.StatusCode != HttpStatusCode.OK || (i % 2 == 0 && !text.Contains("[DONE]", StringComparison.Ordinal)))
                {
                    lock (failures)
                    {
                        failures.Add($"{replica.Id}: {(int)result.StatusCode} {text}");
                    }
                }
            }
        }, Ct);

        await PollAsync(() => Task.FromResult(Volatile.Read(ref sent)), n => n >= 10, "traffic flows");
        await cluster.Redis.StopAsync();
        var partial = await PollAsync(() => b.GetJsonAsync("metrics/active-requests"), v => v["cluster"]!["partial"]!.GetValue<bool>(), "B says its view is partial");
        Assert.StartsWith("Redis unavailable", partial["cluster"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        var duringOutage = Volatile.Read(ref sent);
        await PollAsync(() => Task.FromResult(Volatile.Read(ref sent)), n => n >= duringOutage + 10, "traffic keeps flowing without Redis");

        await cluster.Redis.StartAsync();
        var recovered = await PollAsync(
            () => b.GetJsonAsync("metrics/active-requests"),
            v => !v["cluster"]!["partial"]!.GetValue<bool>() && v["replicas"]!.AsArray().Count == 3,
            "B's view is whole again with all three replicas");
        await traffic.CancelAsync();
        await loop;

        Assert.Null(recovered["cluster"]!["reason"]?.GetValue<string>());
        Assert.Empty(failures);
        output.WriteLine($"{Volatile.Read(ref sent)} requests, none failed");
    }

    [Fact]
    public async Task RunningTotals_AcrossReplicas_EqualWhatTheTestSent()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Upstream.Release();
        int[] perReplica = [3, 5, 7];
        var total = perReplica.Sum();
        for (var r = 0; r < 3; r++)
        {
            for (var i = 0; i < perReplica[r]; i++)
            {
                using var result = await cluster.Replicas[r].Client.PostAsync("v1/chat/completions", ChatBody(stream: i % 2 == 1), Ct);
                Assert.Equal(HttpStatusCode.OK, result.StatusCode);
                await result.Content.ReadAsStringAsync(Ct);
            }
        }

        foreach (var replica in cluster.Replicas)
        {
            var totals = await PollAsync(
                () => replica.GetJsonAsync("metrics/running-totals?format=json"),
                t => t["summary"]!["total_requests"]!.GetValue<long>() == total,
                $"{replica.Id}'s totals reach {total}");
            Assert.Equal(0, totals["summary"]!["total_errors"]!.GetValue<long>());
            Assert.Equal(total * SlowUpstream.PromptTokens, totals["summary"]!["input_tokens"]!.GetValue<long>());
            Assert.Equal(total * SlowUpstream.CompletionTokens, totals["summary"]!["output_tokens"]!.GetValue<long>());
            Assert.Equal(total, totals["providers"]!["openai"]!["total_requests"]!.GetValue<long>());
            Assert.Equal(0, totals["providers"]!["openai"]!["streaming"]!["total_requests"]!.GetValue<long>() - (3 / 2 + 5 / 2 + 7 / 2));
        }

        var logs = await PollAsync(() => cluster.Replicas[0].GetJsonAsync("metrics/logs?limit=100"), l => l["recent_requests"]!.AsArray().Count == total, "A's log lists every replica's requests");
        Assert.Equal(
            [("a", 3), ("b", 5), ("c", 7)],
            logs["recent_requests"]!.AsArray().GroupBy(e => e!["replica"]!.GetValue<string>()).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key, StringComparer.Ordinal));
    }

    /// <summary>The user message every test request sends: distinctive, so a test can look for it where it must not be.</summary>
    private const string UserText = "tell me about the lighthouse keeper";

    private static StringContent ChatBody(bool stream)
        => new($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{UserText}}"}],"stream":{{(stream ? "true" : "false")}}}""", Encoding.UTF8, "application/json");

    /// <summary>The request detail endpoint's answer; null while it answers 404.</summary>
    private static async Task<JsonNode?> GetDetailAsync(ClusterReplica replica, string requestId)
    {
        using var response = await replica.Client.GetAsync($"metrics/active-requests/{requestId}", Ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Starts a streaming request held open by the upstream; returns its id and the open response.</summary>
    private static async Task<(string RequestId, HttpResponseMessage Response)> StartStreamAsync(ClusterReplica replica)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = ChatBody(stream: true) };
        var response = await replica.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct).WaitAsync(s_deadline, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.GetValues("x-inflight-request-id").Single(), response);
    }

    private static async Task<JsonObject> WaitForRecordAsync(ClusterReplica replica, string requestId, Func<JsonNode, bool> condition)
    {
        var view = await PollAsync(
            () => replica.GetJsonAsync("metrics/active-requests"),
            v => Record(v, requestId) is { } r && condition(r),
            $"{replica.Id} shows request {requestId}");
        return Record(view, requestId)!.AsObject();
    }

    private static JsonNode? Record(JsonNode view, string requestId)
        => view["active_requests"]!.AsArray().FirstOrDefault(r => r!["request_id"]!.GetValue<string>() == requestId);

    private static JsonNode? Entry(JsonNode logs, string requestId)
        => logs["recent_requests"]!.AsArray().FirstOrDefault(r => r!["request_id"]!.GetValue<string>() == requestId);

    /// <summary>Re-reads until the condition holds; the deadline is only a safety net.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        T last;
        do
        {
            last = await read();
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(50, Ct);
        }
        while (deadline.Elapsed < s_deadline);

        throw new TimeoutException($"Timed out waiting until {what}; last seen: {last}");
    }
}
