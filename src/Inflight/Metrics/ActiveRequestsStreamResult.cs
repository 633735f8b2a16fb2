using System.Buffers;
using System.Text.Json;
using Inflight.Tracking;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// Writes <c>/metrics/active-requests/stream</c>: <c>retry:</c> once, then the broadcaster's shared frames as they
/// come (the current snapshot first) and a <c>: heartbeat</c> comment on a timer, until the client leaves or the
/// server stops. With metrics off it writes a single <c>disabled</c> event and ends.
/// </summary>
/// <remarks>
/// Not <c>TypedResults.ServerSentEvents</c>: it cannot write comments and would serialize per subscriber
/// (STYLE.md §8). The bytes written here were encoded once by <see cref="ActiveRequestsBroadcaster"/>.
/// </remarks>
internal sealed partial class ActiveRequestsStreamResult : IResult
{
    private readonly bool _metricsDisabled;

    private ActiveRequestsStreamResult(bool metricsDisabled)
    {
        _metricsDisabled = metricsDisabled;
    }

    public static ActiveRequestsStreamResult Live { get; } = new(metricsDisabled: false);

    public static ActiveRequestsStreamResult MetricsDisabled { get; } = new(metricsDisabled: true);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var logger = services.GetRequiredService<ILogger<ActiveRequestsStreamResult>>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        PrepareResponse(httpContext);

        // Shutdown must end open streams promptly, or the server would wait for every dashboard to leave.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var token = stop.Token;
        var body = httpContext.Response.Body;
        try
        {
            await body.WriteAsync(SseFrame.Retry, token);
            if (_metricsDisabled)
            {
                var tracker = services.GetRequiredService<RequestTracker>();
                await body.WriteAsync(CreateDisabledFrame(tracker.Version).Utf8, token);
                await body.FlushAsync(token);
                return;
            }

            if (httpContext.Request.Headers.TryGetValue("Last-Event-ID", out var lastEventId))
            {
                // Nothing to replay: the current snapshot (sent first below) supersedes every missed event.
                Log.Resumed(logger, lastEventId.ToString());
            }

            var options = services.GetRequiredService<IOptions<MetricsOptions>>().Value;
            var timeProvider = services.GetRequiredService<TimeProvider>();
            if (string.Equals(httpContext.Request.Query["mode"], "delta", StringComparison.OrdinalIgnoreCase))
            {
                await body.FlushAsync(token);
                await ActiveRequestsDeltaStream.PumpAsync(body, services.GetRequiredService<ActiveRequestsDeltaPublisher>(), options.SseHeartbeat, timeProvider, token);
                return;
            }

            var broadcaster = services.GetRequiredService<ActiveRequestsBroadcaster>();
            using var subscription = broadcaster.Subscribe();
            // PeriodicTimer rejects periods under 1 ms; the setting only has to be positive.
            using var heartbeat = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(1, options.SseHeartbeat.TotalMilliseconds)), timeProvider);
            await PumpAsync(body, subscription, heartbeat, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Client gone or server stopping: a normal end of the stream.
        }
    }

    private static async Task PumpAsync(Stream body, ActiveRequestsSubscription subscription, PeriodicTimer heartbeat, CancellationToken token)
    {
        var frameReady = subscription.WaitAsync(token);
        var heartbeatDue = heartbeat.WaitForNextTickAsync(token).AsTask();
        while (true)
        {
            // The heartbeat task outlives frame rounds: PeriodicTimer allows one pending wait at a time.
            var completed = await Task.WhenAny(frameReady, heartbeatDue);
            if (completed == frameReady)
            {
                await frameReady;
                if (subscription.TryTake(out var frame))
                {
                    await body.WriteAsync(frame.Utf8, token);
                    await body.FlushAsync(token);
                }

                frameReady = subscription.WaitAsync(token);
            }
            else
            {
                if (!await heartbeatDue)
                {
                    return;
                }

                await body.WriteAsync(SseFrame.Heartbeat, token);
                await body.FlushAsync(token);
                heartbeatDue = heartbeat.WaitForNextTickAsync(token).AsTask();
            }
        }
    }

    private static void PrepareResponse(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";

        // nginx and similar proxies buffer responses unless told not to.
        response.Headers["X-Accel-Buffering"] = "no";

        // An explicit identity encoding keeps response compression (which would buffer events) away.
        response.Headers.ContentEncoding = "identity";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private static SseFrame CreateDisabledFrame(long trackerVersion)
        => SseFrame.Create("disabled", trackerVersion, trackerVersion, 0, new ArrayBufferWriter<byte>(512), static writer =>
        {
            using var json = new Utf8JsonWriter(writer);
            JsonSerializer.Serialize(json, MetricsDisabledPayload.Instance, MetricsJsonContext.Default.MetricsDisabledPayload);
        });

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Active-requests stream resumed after event {LastEventId}; sending the current snapshot", EventName = "StreamResumed")]
        public static partial void Resumed(ILogger logger, string lastEventId);
    }
}
