using Inflight.Tracking;
using Microsoft.Extensions.Logging;

namespace Inflight.History.Tests;

public sealed class HistoryWriterTests
{
    [Fact]
    public async Task OnFinished_StoreStalled_DropsOldestCountsLogsOnceAndFlushesTheRestOnStop()
    {
        var store = new StalledStore();
        var logger = new ListLogger();
        var writer = new HistoryWriter(store, new HistoryWriterOptions { QueueCapacity = 5 }, TimeProvider.System, logger);
        writer.Start();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        for (var i = 0; i < 12; i++)
        {
            writer.OnFinished(null!, Entries.Make("r" + i, now));
        }

        Assert.Equal(7, writer.Dropped);
        Assert.Equal(5, writer.Pending);
        store.Release();
        await writer.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["r7", "r8", "r9", "r10", "r11"], store.Written.Select(e => e.RequestId));
        Assert.Equal(5, writer.Written);
        Assert.Single(logger.Messages, m => m.Contains("dropping the oldest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StopAsync_ShutdownTimeoutWhileStoreStalled_CountsTheQueueAsDropped()
    {
        var store = new StalledStore();
        var writer = new HistoryWriter(store, new HistoryWriterOptions(), TimeProvider.System, new ListLogger());
        writer.Start();
        for (var i = 0; i < 3; i++)
        {
            writer.OnFinished(null!, Entries.Make("r" + i, 0));
        }

        using var timeout = new CancellationTokenSource();
        await timeout.CancelAsync();
        await writer.StopAsync(timeout.Token);

        Assert.Equal(0, writer.Written);
        Assert.Equal(3, writer.Dropped);
    }

    [Fact]
    public async Task StopAsync_StoreFailing_GivesUpAtOnceAndCountsTheQueueAsDropped()
    {
        var store = new FailingStore();
        var writer = new HistoryWriter(store, new HistoryWriterOptions(), TimeProvider.System, new ListLogger());
        writer.Start();
        writer.OnFinished(null!, Entries.Make("r0", 0));
        await store.FirstFailure.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        while (writer.LastError is null)
        {
            // The writer records the error right after the store throws; yield until it has.
            await Task.Yield();
        }

        await writer.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1, writer.Dropped);
        Assert.Contains("database down", writer.LastError, StringComparison.Ordinal);
    }

    private sealed class FailingStore : IRequestStore
    {
        public TaskCompletionSource FirstFailure { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task MigrateAsync(CancellationToken cancellationToken)
        {
            FirstFailure.TrySetResult();
            throw new InvalidOperationException("database down");
        }

        public Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken) => throw new InvalidOperationException("database down");

        public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<int> PruneAsync(double endedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<StoredRequest>> ReadLogsAsync(StoredLogQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredTotals> ReadTotalsAsync(double? since, double? until, TotalsExclusion? exclude, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredSeriesPoint>> ReadSeriesAsync(SeriesQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A store whose migration waits until released: the database is "slow".</summary>
    private sealed class StalledStore : IRequestStore
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<RequestLogEntry> Written { get; } = [];

        public void Release() => _released.TrySetResult();

        public Task MigrateAsync(CancellationToken cancellationToken) => _released.Task.WaitAsync(cancellationToken);

        public Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken)
        {
            Written.AddRange(batch);
            return Task.CompletedTask;
        }

        public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => Task.FromResult(1);

        public Task<int> PruneAsync(double endedBefore, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<StoredRequest>> ReadLogsAsync(StoredLogQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredTotals> ReadTotalsAsync(double? since, double? until, TotalsExclusion? exclude, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredSeriesPoint>> ReadSeriesAsync(SeriesQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
