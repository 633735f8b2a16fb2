using System.Diagnostics;

namespace Inflight.Load;

/// <summary>
/// N dashboards watching <c>/metrics/active-requests/stream</c>: each reads the stream on its own
/// connection and hands every complete event (the raw bytes between blank lines) to a callback with
/// its arrival time. They cost the driver little: no JSON parsing, a byte search at most.
/// </summary>
internal sealed class SseWatchers : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _readers = [];
    private long _events;
    private long _bytes;

    private SseWatchers()
    {
    }

    public delegate void EventCallback(int subscriber, ReadOnlySpan<byte> sseEvent, long timestamp);

    public long Events => Interlocked.Read(ref _events);

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _readers.Count;

    /// <summary>Null when the gateway has no SSE stream (404): the hub is not there yet.</summary>
    public static async Task<SseWatchers?> ConnectAsync(HttpClient client, Uri url, int subscribers, EventCallback? onEvent, CancellationToken cancellationToken)
    {
        var watchers = new SseWatchers();
        var connected = new List<Task<bool>>();
        for (var i = 0; i < subscribers; i++)
        {
            var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var subscriber = i;
            watchers._readers.Add(Task.Run(() => watchers.ConnectWithRetriesAsync(client, url, subscriber, ready, onEvent)));
            connected.Add(ready.Task);
        }

        var results = await Task.WhenAll(connected).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (results.All(r => r))
        {
            return watchers;
        }

        await watchers.DisposeAsync();
        return null;
    }

    /// <summary>Why a subscriber could not connect, when one could not (status or exception), for the report's notes.</summary>
    public static string? LastFailure { get; private set; }

    /// <summary>Like a dashboard's EventSource, a subscriber that could not connect tries again (three attempts in all).</summary>
    private async Task ConnectWithRetriesAsync(HttpClient client, Uri url, int subscriber, TaskCompletionSource<bool> ready, EventCallback? onEvent)
    {
        for (var attempt = 1; ; attempt++)
        {
            var attemptReady = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = ReadAsync(client, url, subscriber, attemptReady, onEvent);
            var connected = await attemptReady.Task;
            if (connected || attempt == 3 || _stop.IsCancellationRequested)
            {
                ready.TrySetResult(connected);
                await reading;
                return;
            }

            await reading;
        }
    }

    private async Task ReadAsync(HttpClient client, Uri url, int subscriber, TaskCompletionSource<bool> ready, EventCallback? onEvent)
    {
        var buffer = new byte[1 << 16];
        var pending = new byte[1 << 20];
        var pendingLength = 0;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            if (!response.IsSuccessStatusCode)
            {
                LastFailure = $"subscriber {subscriber}: HTTP {(int)response.StatusCode}";
                ready.TrySetResult(false);
                return;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
            while (true)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    if (!ready.Task.IsCompleted)
                    {
                        LastFailure = $"subscriber {subscriber}: the stream ended before its first event";
                    }

                    return;
                }

                var now = Stopwatch.GetTimestamp();
                Interlocked.Add(ref _bytes, read);
                if (pendingLength + read > pending.Length)
                {
                    Array.Resize(ref pending, Math.Max(pending.Length * 2, pendingLength + read));
                }

                buffer.AsSpan(0, read).CopyTo(pending.AsSpan(pendingLength));
                pendingLength += read;

                // Dispatch every complete event ("\n\n"-terminated); keep the partial tail.
                var consumed = 0;
                while (true)
                {
                    var end = pending.AsSpan(consumed, pendingLength - consumed).IndexOf("\n\n"u8);
                    if (end < 0)
                    {
                        break;
                    }

                    var sseEvent = pending.AsSpan(consumed, end);
                    if (sseEvent.IndexOf("data:"u8) >= 0)
                    {
                        Interlocked.Increment(ref _events);
                        ready.TrySetResult(true);
                        onEvent?.Invoke(subscriber, sseEvent, now);
                    }

                    consumed += end + 2;
                }

                pending.AsSpan(consumed, pendingLength - consumed).CopyTo(pending);
                pendingLength -= consumed;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            if (!ready.Task.IsCompleted)
            {
                LastFailure = $"subscriber {subscriber}: {ex.GetType().Name}: {ex.Message}";
            }
        }
        finally
        {
            ready.TrySetResult(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}
