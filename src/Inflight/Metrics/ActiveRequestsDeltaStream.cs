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
/// type). Bytes per event follow the changed requests, not the number of active ones.
/// </summary>
/// <remarks>
/// Each connection diffs the view's state against what it last sent, so a slow reader never gets a backlog:
/// it gets the net change since its last write. Event ids come from one process-wide counter, so they only grow.
/// </remarks>
internal static class ActiveRequestsDeltaStream
{
    /// <summary>Changes closer together than this are sent as one round (coalesced per request).</summary>
    private static readonly TimeSpan s_coalesce = TimeSpan.FromMilliseconds(20);

    private static long s_eventId;

    public static async Task PumpAsync(Stream body, ActiveView view, MetricsOptions options, TimeProvider timeProvider, CancellationToken token)
    {
        var sent = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
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

            var wrote = await WriteChangesAsync(body, view, sent, timeProvider, token);
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

    private static async Task<bool> WriteChangesAsync(Stream body, ActiveView view, Dictionary<string, JsonObject> sent, TimeProvider timeProvider, CancellationToken token)
    {
        var wrote = false;
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

            if (update.Count > 1)
            {
                sent[request.RequestId] = record;
                await WriteAsync(body, "request-update", update, token);
                wrote = true;
            }
        }

        foreach (var id in sent.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            sent.Remove(id);
            JsonNode final = view.FindRecent(id) is { } entry
                ? JsonSerializer.SerializeToNode(entry, MetricsJsonContext.Default.RequestLogEntry)!
                : new JsonObject { ["request_id"] = id, ["status"] = "unknown" };
            await WriteAsync(body, "request-end", final, token);
            wrote = true;
        }

        if (wrote)
        {
            await body.FlushAsync(token);
        }

        return wrote;
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
