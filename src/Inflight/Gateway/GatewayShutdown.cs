using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// The grace period at shutdown: when the host starts stopping, Kestrel stops accepting and in-flight requests
/// may finish for <c>SHUTDOWN_TIMEOUT</c>; then <see cref="Deadline"/> fires and each remaining request ends with
/// an error in its client's format (an error event on a stream) and is finalized as <c>shutdown</c>, instead of
/// being cut by a TCP reset. The host's own shutdown timeout is set a little longer, so this runs first.
/// </summary>
internal sealed class GatewayShutdown : IDisposable
{
    private readonly CancellationTokenSource _deadline = new();
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenRegistration _stopping;
    private ITimer? _timer;

    public GatewayShutdown(IHostApplicationLifetime lifetime, IOptions<GatewayOptions> options, TimeProvider timeProvider)
    {
        Timeout = options.Value.ShutdownTimeout;
        _timeProvider = timeProvider;
        _stopping = lifetime.ApplicationStopping.Register(static state => ((GatewayShutdown)state!).StartGracePeriod(), this);
    }

    /// <summary>Extra time the host waits after <see cref="Deadline"/>, for the error events to be written.</summary>
    public static readonly TimeSpan HostMargin = TimeSpan.FromSeconds(5);

    public TimeSpan Timeout { get; }

    /// <summary>Cancelled <c>SHUTDOWN_TIMEOUT</c> after the host began to stop.</summary>
    public CancellationToken Deadline => _deadline.Token;

    public static string Message => "The gateway is shutting down; the request did not finish within SHUTDOWN_TIMEOUT.";

    // The timer starts only when stopping begins: nothing here runs (or allocates a timer) on a normal request.
    private void StartGracePeriod()
        => _timer = _timeProvider.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), _deadline, Timeout, System.Threading.Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _stopping.Dispose();
        _timer?.Dispose();
        _deadline.Dispose();
    }
}
