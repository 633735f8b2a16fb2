using System.Buffers;
using System.Text.Json;
using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>
/// The one publisher behind <c>/metrics/active-requests/stream</c>. It watches the tracker, serializes the
/// snapshot once per (coalesced) change into a pre-encoded <see cref="SseFrame"/> and hands that same frame to
/// every subscriber, so the cost of a change does not grow with the number of dashboards beyond one slot write
/// each. While requests are active it also refreshes at least every <c>VDM_ACTIVE_REQUESTS_SSE_INTERVAL</c> so
/// durations and live token counts keep moving. With no subscribers it serializes nothing.
/// </summary>
internal sealed partial class ActiveRequestsBroadcaster : BackgroundService
{
    /// <summary>
    /// Changes closer together than the coalescing window share one frame: a burst costs at most one
    /// serialization per window, and a change reaches subscribers within one window (the contract asks for
    /// 100 ms). The window is this minimum, widened to <see cref="WindowPerBuildCost"/> times the last
    /// snapshot's serialization time (capped at <see cref="MaxCoalescingWindow"/>), so a big snapshot never
    /// takes more than about a tenth of a core while a small one is pushed within milliseconds.
    /// </summary>
    public static readonly TimeSpan DefaultCoalescingWindow = TimeSpan.FromMilliseconds(10);

    public static readonly TimeSpan MaxCoalescingWindow = TimeSpan.FromMilliseconds(100);

    private const int WindowPerBuildCost = 10;

    private readonly ActiveView _view;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _coalescingWindow;
    private readonly ILogger _logger;
    private readonly Lock _subscribersGate = new();
    private readonly Lock _buildGate = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private ActiveRequestsSubscription[] _subscribers = [];
    private TaskCompletionSource _subscriberArrived = NewSignal();
    private SseFrame? _latest;
    private long _frameSequence;
    private long _framesBuilt;
    private long _lastBuildTicks;

    public ActiveRequestsBroadcaster(ActiveView view, TimeProvider timeProvider, IOptions<MetricsOptions> options, ILogger<ActiveRequestsBroadcaster> logger)
        : this(view, timeProvider, options.Value.SseInterval, DefaultCoalescingWindow, logger)
    {
    }

    internal ActiveRequestsBroadcaster(RequestTracker tracker, TimeProvider timeProvider, TimeSpan refreshInterval, TimeSpan coalescingWindow, ILogger logger)
        : this(new ActiveView(tracker, null, timeProvider), timeProvider, refreshInterval, coalescingWindow, logger)
    {
    }

    private ActiveRequestsBroadcaster(ActiveView view, TimeProvider timeProvider, TimeSpan refreshInterval, TimeSpan coalescingWindow, ILogger logger)
    {
        _view = view;
        _timeProvider = timeProvider;
        _refreshInterval = refreshInterval;
        _coalescingWindow = coalescingWindow;
        _logger = logger;
    }

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>How many snapshots have been serialized since start (each shared by all subscribers).</summary>
    public long FramesBuilt => Interlocked.Read(ref _framesBuilt);

    /// <summary>
    /// Registers a subscriber whose slot already holds the current snapshot, so a new (or reconnecting)
    /// stream can send it at once. Dispose the subscription to leave.
    /// </summary>
    public ActiveRequestsSubscription Subscribe()
    {
        var subscription = new ActiveRequestsSubscription(Unsubscribe);
        int count;
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers, subscription];
            count = _subscribers.Length;
        }

        Interlocked.Exchange(ref _subscriberArrived, NewSignal()).TrySetResult();

        // Registered first, seeded second: a frame the publisher hands over in between is newer, and the
        // slot keeps the newer of the two (see ActiveRequestsSubscription.Offer).
        subscription.Offer(GetCurrentFrame());
        Log.SubscriberAdded(_logger, count);
        return subscription;
    }

    /// <summary>
    /// The newest frame, rebuilt only if the tracker changed since it was built or, while requests are
    /// active, it is older than the refresh interval. Frame ids grow in build order, under one lock.
    /// </summary>
    internal SseFrame GetCurrentFrame()
    {
        lock (_buildGate)
        {
            var version = _view.Version;
            var latest = _latest;
            if (latest is not null && latest.TrackerVersion == version && !IsDueForRefresh(latest))
            {
                return latest;
            }

            // Version is read before the snapshot: a change racing with the build only makes the frame newer
            // than its label, and the publisher then builds once more — never the other way round.
            var started = _timeProvider.GetTimestamp();
            var payload = _view.CreatePayload();
            var frame = SseFrame.Create("update", ++_frameSequence, version, _timeProvider.GetTimestamp(), _scratch, writer =>
            {
                using var json = new Utf8JsonWriter(writer);
                JsonSerializer.Serialize(json, payload, MetricsJsonContext.Default.ActiveRequestsPayload);
            });
            Interlocked.Increment(ref _framesBuilt);
            Interlocked.Exchange(ref _lastBuildTicks, _timeProvider.GetElapsedTime(started).Ticks);
            Volatile.Write(ref _latest, frame);
            return frame;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WaitForSubscriberAsync(stoppingToken);
                await WaitForChangeOrRefreshAsync(stoppingToken);
                await CoalesceAsync(stoppingToken);
                if (SubscriberCount == 0)
                {
                    continue;
                }

                var frame = GetCurrentFrame();
                foreach (var subscriber in Volatile.Read(ref _subscribers))
                {
                    subscriber.Offer(frame);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bad snapshot must not end live updates for good; try again after one interval.
                Log.PublishFailed(_logger, ex);
                await Task.Delay(_refreshInterval, _timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task WaitForSubscriberAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _subscriberArrived);
            if (SubscriberCount > 0)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Returns when the latest frame is stale: the tracker changed, or it is due for a refresh.</summary>
    private async Task WaitForChangeOrRefreshAsync(CancellationToken cancellationToken)
    {
        var latest = Volatile.Read(ref _latest);
        if (latest is null || latest.TrackerVersion != _view.Version)
        {
            return;
        }

        if (_view.ActiveCount == 0)
        {
            // Nothing ticks while idle; a start wakes us (and makes ActiveCount non-zero for the next round).
            await _view.WaitForChangeAsync(latest.TrackerVersion, cancellationToken);
            return;
        }

        var untilRefresh = _refreshInterval - _timeProvider.GetElapsedTime(latest.BuiltAt);
        if (untilRefresh <= TimeSpan.Zero)
        {
            return;
        }

        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var change = _view.WaitForChangeAsync(latest.TrackerVersion, waitCts.Token).AsTask();
        var refresh = Task.Delay(untilRefresh, _timeProvider, waitCts.Token);
        await Task.WhenAny(change, refresh);
        await waitCts.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Leading edge: publish at once unless the last build was less than one window ago.</summary>
    private async Task CoalesceAsync(CancellationToken cancellationToken)
    {
        var latest = Volatile.Read(ref _latest);
        if (latest is null)
        {
            return;
        }

        var sinceBuilt = _timeProvider.GetElapsedTime(latest.BuiltAt);
        var window = CoalescingWindow;
        if (sinceBuilt < window)
        {
            await Task.Delay(window - sinceBuilt, _timeProvider, cancellationToken);
        }
    }

    /// <summary>The current coalescing window: the configured minimum, widened for expensive snapshots.</summary>
    internal TimeSpan CoalescingWindow
    {
        get
        {
            var scaled = TimeSpan.FromTicks(Interlocked.Read(ref _lastBuildTicks) * WindowPerBuildCost);
            return scaled <= _coalescingWindow ? _coalescingWindow : (scaled >= MaxCoalescingWindow ? MaxCoalescingWindow : scaled);
        }
    }

    private bool IsDueForRefresh(SseFrame frame)
        => _view.ActiveCount > 0 && _timeProvider.GetElapsedTime(frame.BuiltAt) >= _refreshInterval;

    private void Unsubscribe(ActiveRequestsSubscription subscription)
    {
        int count;
        lock (_subscribersGate)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
            count = _subscribers.Length;
        }

        Log.SubscriberRemoved(_logger, subscription.DroppedFrames, count);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Active-requests stream subscriber added; {SubscriberCount} connected", EventName = "SubscriberAdded")]
        public static partial void SubscriberAdded(ILogger logger, int subscriberCount);

        [LoggerMessage(2, LogLevel.Debug, "Active-requests stream subscriber left after {DroppedFrames} skipped frames; {SubscriberCount} connected", EventName = "SubscriberRemoved")]
        public static partial void SubscriberRemoved(ILogger logger, long droppedFrames, int subscriberCount);

        [LoggerMessage(3, LogLevel.Error, "Publishing an active-requests snapshot failed; retrying after one refresh interval", EventName = "PublishFailed")]
        public static partial void PublishFailed(ILogger logger, Exception exception);
    }
}
