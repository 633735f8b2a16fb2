using Inflight.History;
using Inflight.Tracking;
using Microsoft.Extensions.Options;

namespace Inflight.HistoryHosting;

/// <summary>
/// Opens the store <c>INFLIGHT_DATABASE_URL</c> names at start-up, feeds it every finished request through
/// a <see cref="HistoryWriter"/>, and flushes it at shutdown. With <c>none</c> it does nothing.
/// </summary>
internal sealed partial class HistoryService(
    IOptions<HistoryOptions> options,
    IOptions<Cluster.ClusterOptions> cluster,
    TimeProvider timeProvider,
    ILogger<HistoryWriter> writerLogger,
    ILogger<HistoryService> logger) : IHostedService, IRequestObserver, IAsyncDisposable
{
    /// <summary>In cluster mode every stored row names this replica, so the request log can show who served it.</summary>
    private readonly string? _replica = cluster.Value.Enabled ? cluster.Value.ReplicaId : null;

    private HistoryWriter? _writer;

    /// <summary>The open store; null with <c>none</c>.</summary>
    public IRequestStore? Store { get; private set; }

    public HistoryWriter? Writer => Volatile.Read(ref _writer);

    public string Display => options.Value.Location.Display;

    public void OnFinished(TrackedRequest request, RequestLogEntry entry)
        => Volatile.Read(ref _writer)?.OnFinished(request, _replica is null ? entry : entry with { Replica = _replica });

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Store = HistoryStores.Create(settings.Location);
        if (Store is null)
        {
            return;
        }

        if (Store is SqliteRequestStore sqlite)
        {
            // A path that cannot be written is reported, not fatal: the writer keeps retrying and the
            // gateway keeps serving, as for a database that is down.
            try
            {
                var directory = Path.GetDirectoryName(settings.Location.Display["sqlite:".Length..]);
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                await sqlite.UseWriteAheadLogAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
            {
                LogSqliteUnavailable(logger, settings.Location.Display, ex.Message);
            }
        }

        var writer = new HistoryWriter(Store, new HistoryWriterOptions { RetentionDays = settings.RetentionDays }, timeProvider, writerLogger);
        writer.Start();
        Volatile.Write(ref _writer, writer);
        LogOpened(logger, settings.Location.Display, settings.RetentionDays);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writer, null) is { } writer)
        {
            await writer.StopAsync(cancellationToken).ConfigureAwait(false);
            if (writer.Dropped > 0)
            {
                LogDroppedTotal(logger, writer.Dropped);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Store is { } store)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "History: keeping finished requests in {Store} for {Days} days.")]
    private static partial void LogOpened(ILogger logger, string store, int days);

    [LoggerMessage(3, LogLevel.Warning, "History: cannot open {Store} yet ({Error}); requests are queued and retried.")]
    private static partial void LogSqliteUnavailable(ILogger logger, string store, string error);

    [LoggerMessage(2, LogLevel.Warning, "History: {Count} finished requests were dropped (store slow or down) and are not in the history.")]
    private static partial void LogDroppedTotal(ILogger logger, long count);
}
