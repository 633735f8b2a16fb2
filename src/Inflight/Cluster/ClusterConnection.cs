using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>
/// The one Redis connection of this replica, opened on first use. It never blocks start-up or a client request:
/// the client reconnects in the background with backoff and commands fail at once while it is down
/// (see <see cref="RedisUrl"/>). Callers report failures here so the view can say why it is partial.
/// </summary>
internal sealed partial class ClusterConnection(IOptions<ClusterOptions> options, ILogger<ClusterConnection> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;
    private string? _lastFailure;

    public ClusterOptions Options { get; } = options.Value;

    public bool IsConnected => Volatile.Read(ref _multiplexer)?.IsConnected == true;

    /// <summary>Why Redis is not usable right now, in a few words; null when it is.</summary>
    public string? Problem => IsConnected ? null : (Volatile.Read(ref _lastFailure) ?? "not connected to Redis yet");

    public async Task<IConnectionMultiplexer> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _multiplexer) is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_multiplexer is null)
            {
                var configuration = Options.Redis!.Clone();
                configuration.ClientName = "inflight-" + Options.ReplicaId;
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
                multiplexer.ConnectionFailed += (_, e) =>
                {
                    ReportFailure(e.Exception is { } ex ? Describe(ex) : e.FailureType.ToString());
                };
                multiplexer.ConnectionRestored += (_, _) => Log.Restored(logger, Options.RedisDisplay);
                Volatile.Write(ref _multiplexer, multiplexer);
                Log.Opened(logger, Options.RedisDisplay, Options.ReplicaId, multiplexer.IsConnected);
            }

            return _multiplexer;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A failure in a few words: the client's messages carry a whole connection dump after the first clause.</summary>
    public static string Describe(Exception exception)
    {
        var message = exception is RedisConnectionException connection
            ? connection.FailureType + ": " + connection.Message
            : exception.Message;
        var cut = message.IndexOfAny([';', '\n']);
        message = cut > 0 ? message[..cut] : message;
        return message.Length <= 160 ? message : message[..160] + "…";
    }

    public void ReportFailure(string reason)
    {
        var previous = Interlocked.Exchange(ref _lastFailure, reason);
        if (previous != reason)
        {
            Log.Failed(logger, Options.RedisDisplay, reason);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _multiplexer, null) is { } multiplexer)
        {
            await multiplexer.DisposeAsync();
        }

        _gate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Cluster mode: Redis {Redis}, replica {ReplicaId} (connected: {Connected})", EventName = "ClusterRedisOpened")]
        public static partial void Opened(ILogger logger, string redis, string replicaId, bool connected);

        [LoggerMessage(2, LogLevel.Warning, "Cluster mode: Redis {Redis} is not usable ({Reason}); serving this replica's requests only until it is back", EventName = "ClusterRedisFailed")]
        public static partial void Failed(ILogger logger, string redis, string reason);

        [LoggerMessage(3, LogLevel.Information, "Cluster mode: connection to Redis {Redis} restored", EventName = "ClusterRedisRestored")]
        public static partial void Restored(ILogger logger, string redis);
    }
}
