using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Inflight.Tracking;

namespace Inflight.Metrics;

/// <summary>
/// <c>/metrics/active-requests/stream?mode=delta</c>: a <c>snapshot</c> (the full list) on connect and after a
/// resume, then <c>request-start</c> (the new record), <c>request-update</c> (<c>request_id</c> plus only the
/// fields that changed, coalesced per request) and <c>request-end</c> (the final log entry with status and error
/// type). Bytes per event follow the changed requests, not the number of active ones. A request that starts and
/// ends between two rounds still gets its <c>request-end</c> (there is no live record left to start it with).
/// </summary>
/// <remarks>
/// Each connection diffs the view's state against what it last sent, so a slow reader never gets a backlog:
/// it gets the net change since its last write. Event ids come from one process-wide counter, so they only grow.
/// </remarks>
internal static class ActiveRequestsDeltaStream
{
    /// <summary>Changes closer together than this are sent as one round (coalesced per request).</summary>
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(20);

    /// <summary>At most this many requests that started and ended between two rounds are reported per round.</summary>
    private const int MaxUnseenEndsPerRound = 256;

    /// <summary>Fields that move with the clock alone; a change round leaves them to the next interval round.</summary>
    private static readonly string[] s_clockFields = ["duration_ms", "idle_ms", "tokens_per_second"];

    private static long s_eventId;

    public static async Task PumpAsync(Stream body, ActiveView view, MetricsOptions options, TimeProvider timeProvider, CancellationToken token)
    {
        var sent = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        // The newest finished request before the snapshot: later ones this watcher never saw still get their end.
        var finishedMark = NewestFinished(view);
        var version = view.Version;
        var snapshot = new JsonArray();
        foreach (var request in view.GetActiveRequests())
        {
            var record = ToJson(request);
            sent[request.RequestId] = record;
            snapshot.Add(record.DeepClone());
        }

        var first = new JsonObject { ["active_requests"] = snapshot, ["timestamp"] = Now(timeProvider) };
        if (view.Cluster is { } cluster)
        {
            first["cluster"] = JsonSerializer.SerializeToNode(cluster.Status, MetricsJsonContext.Default.ClusterStatus);
            first["replicas"] = JsonSerializer.SerializeToNode(view.CreatePayload(), MetricsJsonContext.Default.ActiveRequestsPayload)?["replicas"]?.DeepClone();
        }

        await WriteAsync(body, "snapshot", first, token);
        var lastWrite = timeProvider.GetTimestamp();
        while (true)
        {
            // Wait for a change; while requests are active refresh at least every interval (durations tick).
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
            var timeout = view.ActiveCount > 0 ? options.SseInterval : options.SseHeartbeat;
            wait.CancelAfter(timeout);
            var changed = false;
            try
            {
                version = await view.WaitForChangeAsync(version, wait.Token);
                changed = true;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // The interval or heartbeat elapsed.
            }

            if (changed)
            {
                await Task.Delay(s_coalesce, timeProvider, token);
                version = view.Version;
            }

            // A change round sends what changed; the interval round also sends the clock's ticks (durations, idle
            // time), so a change among a thousand active requests costs its own events, not a thousand updates.
            var (wrote, mark) = await WriteChangesAsync(body, view, sent, finishedMark, includeClockTicks: !changed, token);
            finishedMark = mark;
            if (wrote)
            {
                lastWrite = timeProvider.GetTimestamp();
            }
            else if (timeProvider.GetElapsedTime(lastWrite) >= options.SseHeartbeat)
            {
                await body.WriteAsync(SseFrame.Heartbeat, token);
                await body.FlushAsync(token);
                lastWrite = timeProvider.GetTimestamp();
            }
        }
    }

    private static string? NewestFinished(ActiveView view)
        => view.Tracker.GetRecentRequests(1) is [var newest] ? newest.RequestId : null;

    private static async Task<(bool Wrote, string? FinishedMark)> WriteChangesAsync(Stream body, ActiveView view, Dictionary<string, JsonObject> sent, string? finishedMark, bool includeClockTicks, CancellationToken token)
    {
        var wrote = false;
        // Read before the active list: a request finishing in between is then either still active or in this list.
        var finished = view.Tracker.GetRecentRequests(MaxUnseenEndsPerRound);
        var current = view.GetActiveRequests();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in current)
        {
            seen.Add(request.RequestId);
            var record = ToJson(request);
            if (!sent.TryGetValue(request.RequestId, out var previous))
            {
                sent[request.RequestId] = record;
                await WriteAsync(body, "request-start", record.DeepClone(), token);
                wrote = true;
                continue;
            }

            var update = new JsonObject { ["request_id"] = request.RequestId };
            foreach (var (name, value) in record)
            {
                if (!JsonNode.DeepEquals(value, previous[name]))
                {
                    update[name] = value?.DeepClone();
                }
            }

            if (update.Count > 1 && (includeClockTicks || update.Any(field => field.Key != "request_id" && !s_clockFields.Contains(field.Key))))
            {
                sent[request.RequestId] = record;
                await WriteAsync(body, "request-update", update, token);
                wrote = true;
            }
        }

        var ended = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in sent.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            sent.Remove(id);
            ended.Add(id);
            JsonNode final = view.FindRecent(id) is { } entry
                ? JsonSerializer.SerializeToNode(entry, MetricsJsonContext.Default.RequestLogEntry)!
                : new JsonObject { ["request_id"] = id, ["status"] = "unknown" };
            await WriteAsync(body, "request-end", final, token);
            wrote = true;
        }

        // Requests that started and finished since the last round, never sent to this watcher: oldest first.
        var unseen = finished.TakeWhile(entry => entry.RequestId != finishedMark).Where(entry => !seen.Contains(entry.RequestId) && !ended.Contains(entry.RequestId)).Reverse();
        foreach (var entry in unseen)
        {
            await WriteAsync(body, "request-end", JsonSerializer.SerializeToNode(entry, MetricsJsonContext.Default.RequestLogEntry)!, token);
            wrote = true;
        }

        if (wrote)
        {
            await body.FlushAsync(token);
        }

        return (wrote, finished.Count > 0 ? finished[0].RequestId : finishedMark);
    }

    private static JsonObject ToJson(ActiveRequestSnapshot request)
        => JsonSerializer.SerializeToNode(request, MetricsJsonContext.Default.ActiveRequestSnapshot)!.AsObject();

    private static double Now(TimeProvider timeProvider) => timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    private static async Task WriteAsync(Stream body, string eventType, JsonNode data, CancellationToken token)
    {
        var id = Interlocked.Increment(ref s_eventId);
        var frame = "event: " + eventType + "\nid: " + id.ToString(CultureInfo.InvariantCulture) + "\ndata: " + data.ToJsonString() + "\n\n";
        await body.WriteAsync(Encoding.UTF8.GetBytes(frame), token);
    }
}
