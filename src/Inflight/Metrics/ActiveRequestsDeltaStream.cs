namespace Inflight.Metrics;

/// <summary>
/// <c>/metrics/active-requests/stream?mode=delta</c>: a <c>snapshot</c> (the full list) on connect and after a
/// resume, then <c>request-start</c> (the new record), <c>request-update</c> (<c>request_id</c> plus only the
/// fields that changed, coalesced per request) and <c>request-end</c> (the final log entry with status and error
/// type). Bytes per event follow the changed requests, not the number of active ones.
/// </summary>
/// <remarks>
/// The events are worked out and encoded once for every watcher by <see cref="ActiveRequestsDeltaPublisher"/>;
/// this only copies the shared bytes from its place in the ring. A reader too slow for the ring gets a fresh
/// <c>snapshot</c> instead of a backlog, and a <c>: heartbeat</c> comment goes out after a heartbeat interval of
/// silence.
/// </remarks>
internal static class ActiveRequestsDeltaStream
{
    public static async Task PumpAsync(Stream body, ActiveRequestsDeltaPublisher publisher, TimeSpan heartbeat, TimeProvider timeProvider, CancellationToken token)
    {
        using var subscription = publisher.Subscribe();
        await body.WriteAsync(subscription.Snapshot, token);
        await body.FlushAsync(token);
        var lastWrite = timeProvider.GetTimestamp();
        var frames = new List<byte[]>();
        var ready = subscription.WaitAsync(token);
        while (true)
        {
            if (!ready.IsCompleted)
            {
                var untilHeartbeat = heartbeat - timeProvider.GetElapsedTime(lastWrite);
                if (untilHeartbeat > TimeSpan.Zero)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(token);
                    await Task.WhenAny(ready, Task.Delay(untilHeartbeat, timeProvider, wait.Token));
                    await wait.CancelAsync();
                }

                token.ThrowIfCancellationRequested();
                if (!ready.IsCompleted)
                {
                    await body.WriteAsync(SseFrame.Heartbeat, token);
                    await body.FlushAsync(token);
                    lastWrite = timeProvider.GetTimestamp();
                    continue;
                }
            }

            await ready;
            frames.Clear();
            subscription.Read(frames);
            foreach (var frame in frames)
            {
                await body.WriteAsync(frame, token);
            }

            if (frames.Count > 0)
            {
                await body.FlushAsync(token);
                lastWrite = timeProvider.GetTimestamp();
            }

            // Dropped before the next wait: a slow socket write must not pin rounds the ring already let go.
            frames.Clear();
            ready = subscription.WaitAsync(token);
        }
    }
}
