using Inflight.Tracking;

namespace Inflight.History.Tests;

/// <summary>The behaviour every <see cref="IRequestStore"/> must have; run against SQLite and PostgreSQL alike.</summary>
public abstract class RequestStoreContract
{
    private const double T0 = 1_780_000_000;

    /// <summary>A location (URL) of a new, empty database.</summary>
    protected abstract Task<string> NewDatabaseUrlAsync();

    private static IRequestStore Open(string url)
    {
        Assert.True(StoreLocation.TryParse(url, out var location, out var error), error);
        return HistoryStores.Create(location)!;
    }

    private async Task<(string Url, IRequestStore Store)> NewStoreAsync()
    {
        var url = await NewDatabaseUrlAsync();
        var store = Open(url);
        await store.MigrateAsync(TestContext.Current.CancellationToken);
        return (url, store);
    }

    [Fact]
    public async Task Migrate_FreshDatabaseTwice_ReachesNewestVersionOnce()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            await store.MigrateAsync(TestContext.Current.CancellationToken);

            Assert.Equal(4, await store.GetSchemaVersionAsync(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Write_Batch_ReadsBackEveryFieldNewestFirst()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            RequestLogEntry[] written = [Entries.Make("a", T0), Entries.Make("b", T0 + 1, errorType: ErrorTypes.Timeout, streaming: false), Entries.Make("c", T0 + 2)];
            await store.WriteAsync(written, TestContext.Current.CancellationToken);

            var read = await store.ReadLogsAsync(new StoredLogQuery(), TestContext.Current.CancellationToken);

            Assert.Equal(written.Reverse().Select(Entries.Json), read.Select(r => Entries.Json(r.Entry)));
        }
    }

    [Fact]
    public async Task Write_EveryColumnSetOrNull_ReadsBackTheSameValues()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            RequestLogEntry[] written = [Entries.Full("full", T0 + 0.000_001), Entries.Sparse("sparse", -T0), Entries.Make("plain", T0)];
            await store.WriteAsync(written, new BatchOrigin("run-1", [long.MaxValue - 2, 1, 2]), ct);

            var read = await store.ReadLogsAsync(new StoredLogQuery(), ct);
            var mine = await store.ReadTotalsAsync(null, null, new TotalsExclusion("run-1", 1), ct);

            Assert.Equal(written.Reverse().Select(Entries.Stored), read.Select(r => Entries.Stored(r.Entry)));

            // Only the row at sequence 1 is at or below the watermark: the instance columns were written per row.
            Assert.Equal(1, mine.Models.Sum(m => m.Requests));
        }
    }

    [Fact]
    public async Task Write_NonAsciiAndLongTexts_ReadBackUnchanged()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            var longText = string.Concat(Enumerable.Repeat("Größe 量 🚀 \\N \t\"'\r\n,;|", 8_000));
            RequestLogEntry[] written =
            [
                Entries.Make("ünïcödé-ид-标识-🚀", T0, provider: "プロバイダ", model: "modèle-ü", errorType: ErrorTypes.UpstreamHttpError) with
                {
                    ErrorMessage = longText,
                    UserAgent = "agent/1.0 (😀; ﻿zero-width​joiner‍)",
                    SessionId = "\\N",
                    UserId = "NULL",
                    KeyLabel = "\t",
                },
            ];
            await store.WriteAsync(written, ct);

            var read = Assert.Single(await store.ReadLogsAsync(new StoredLogQuery(), ct));

            Assert.Equal(Entries.Stored(written[0]), Entries.Stored(read.Entry));
            Assert.Equal(longText.Length, read.Entry.ErrorMessage!.Length);
        }
    }

    [Fact]
    public async Task Write_TranslationNotes_ReadBackAsTheSameList()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            string[][] notes = [[], ["dropped: context_management"], ["dropped: context_management", "mapped: thinking → reasoning_effort", "dropped: metadata.user_id ✓"]];
            var written = notes.Select((n, i) => Entries.Make("n" + i, T0 + i) with { TranslationNotes = n }).ToArray();
            await store.WriteAsync(written, ct);

            var read = await store.ReadLogsAsync(new StoredLogQuery(), ct);

            Assert.Equal(notes.Reverse(), read.Select(r => r.Entry.TranslationNotes.ToArray()));
        }
    }

    [Fact]
    public async Task Write_SameBatchTwice_StoresEachRowTwiceUnderNewIds()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            RequestLogEntry[] batch = [Entries.Make("dup-a", T0, input: 10), Entries.Full("dup-b", T0 + 1)];
            var origin = new BatchOrigin("run-1", [1, 2]);
            await store.WriteAsync(batch, origin, ct);
            await store.WriteAsync(batch, origin, ct);

            var read = await store.ReadLogsAsync(new StoredLogQuery(), ct);
            var totals = await store.ReadTotalsAsync(null, null, ct);

            Assert.Equal(["dup-b", "dup-a", "dup-b", "dup-a"], read.Select(r => r.Entry.RequestId));
            Assert.Equal(4, read.Select(r => r.Id).Distinct().Count());
            Assert.Equal(read.Take(2).Select(r => Entries.Stored(r.Entry)), read.Skip(2).Select(r => Entries.Stored(r.Entry)));
            Assert.Equal(4, totals.Models.Sum(m => m.Requests));
        }
    }

    [Fact]
    public async Task Write_BatchOfThousandsOfRows_ReadsBackEveryRowInOrder()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            const int Rows = 3_000;
            var written = Enumerable.Range(0, Rows)
                .Select(i => (i % 3) switch { 0 => Entries.Make("k" + i, T0 + i, input: i), 1 => Entries.Full("k" + i, T0 + i), _ => Entries.Sparse("k" + i, T0 + i) })
                .ToArray();
            await store.WriteAsync(written, new BatchOrigin("run-1", [.. Enumerable.Range(1, Rows).Select(i => (long)i)]), ct);

            var read = await store.ReadLogsAsync(new StoredLogQuery { Limit = Rows + 1 }, ct);
            var upToHalf = await store.ReadTotalsAsync(null, null, new TotalsExclusion("run-1", Rows / 2), ct);

            Assert.Equal(written.Reverse().Select(Entries.Stored), read.Select(r => Entries.Stored(r.Entry)));
            Assert.Equal(Rows / 2, upToHalf.Models.Sum(m => m.Requests));
        }
    }

    [Fact]
    public async Task ReadLogs_FiltersAndCursor_ReturnOnlyMatchingPage()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var batch = new List<RequestLogEntry>();
            for (var i = 0; i < 10; i++)
            {
                batch.Add(Entries.Make("r" + i, T0 + i, provider: i % 2 == 0 ? "openai" : "anthropic", model: i % 2 == 0 ? "gpt-4o" : "claude", errorType: i % 3 == 0 ? ErrorTypes.UpstreamHttpError : null));
            }

            await store.WriteAsync(batch, TestContext.Current.CancellationToken);
            var ct = TestContext.Current.CancellationToken;

            var firstPage = await store.ReadLogsAsync(new StoredLogQuery { Limit = 3 }, ct);
            var secondPage = await store.ReadLogsAsync(new StoredLogQuery { Limit = 3, BeforeId = firstPage[^1].Id }, ct);
            var anthropic = await store.ReadLogsAsync(new StoredLogQuery { Provider = "anthropic" }, ct);
            var byRequestedModel = await store.ReadLogsAsync(new StoredLogQuery { Model = "openai:gpt-4o" }, ct);
            var errors = await store.ReadLogsAsync(new StoredLogQuery { Status = RequestStatus.Error }, ct);
            var byType = await store.ReadLogsAsync(new StoredLogQuery { ErrorType = ErrorTypes.UpstreamHttpError, Provider = "openai" }, ct);

            Assert.Equal(["r9", "r8", "r7"], firstPage.Select(r => r.Entry.RequestId));
            Assert.Equal(["r6", "r5", "r4"], secondPage.Select(r => r.Entry.RequestId));
            Assert.Equal(["r9", "r7", "r5", "r3", "r1"], anthropic.Select(r => r.Entry.RequestId));
            Assert.Equal(["r8", "r6", "r4", "r2", "r0"], byRequestedModel.Select(r => r.Entry.RequestId));
            Assert.Equal(["r9", "r6", "r3", "r0"], errors.Select(r => r.Entry.RequestId));
            Assert.Equal(["r6", "r0"], byType.Select(r => r.Entry.RequestId));
        }
    }

    [Fact]
    public async Task ReadTotals_Range_SumsPerModelFromFirstStoredRequest()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            await store.WriteAsync(
                [
                    Entries.Make("old", T0 - 100, input: 1000),
                    Entries.Make("a", T0, input: 10, output: 1),
                    Entries.Make("b", T0 + 5, input: 20, output: 2, errorType: ErrorTypes.Timeout),
                    Entries.Make("c", T0 + 6, provider: "anthropic", model: "claude", input: 30, output: 3),
                ],
                TestContext.Current.CancellationToken);

            var all = await store.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken);
            var range = await store.ReadTotalsAsync(T0, T0 + 6, TestContext.Current.CancellationToken);

            Assert.Equal(T0 - 100, all.FirstStartTime);
            Assert.Equal(1060, all.Models.Sum(m => m.InputTokens));
            Assert.Equal(T0, range.FirstStartTime);
            var model = Assert.Single(range.Models);
            Assert.Equal(("openai", "gpt-4o", true, 2L, 1L, 30L, 3L), (model.Provider, model.Model, model.IsStreaming, model.Requests, model.Errors, model.InputTokens, model.OutputTokens));
            Assert.Equal(14, model.CacheReadTokens);
            Assert.Equal(3000.5, model.DurationMsSum, 6);
        }
    }

    [Fact]
    public async Task ReadTotals_ExcludingAnInstanceAfterASequence_LeavesOutOnlyThoseRows()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            await store.WriteAsync([Entries.Make("legacy", T0, input: 1)], ct);
            await store.WriteAsync([Entries.Make("other", T0, input: 10)], new BatchOrigin("other-run", [1]), ct);
            await store.WriteAsync([Entries.Make("mine-1", T0, input: 100), Entries.Make("mine-2", T0, input: 1000)], new BatchOrigin("this-run", [1, 2]), ct);

            var everything = await store.ReadTotalsAsync(null, null, ct);
            var upToFirst = await store.ReadTotalsAsync(null, null, new TotalsExclusion("this-run", 1), ct);
            var noneOfMine = await store.ReadTotalsAsync(null, null, new TotalsExclusion("this-run", 0), ct);

            Assert.Equal(1111, everything.Models.Sum(m => m.InputTokens));
            Assert.Equal(111, upToFirst.Models.Sum(m => m.InputTokens));
            Assert.Equal(11, noneOfMine.Models.Sum(m => m.InputTokens));
        }
    }

    [Fact]
    public async Task ReadTotals_ToolsAndTtft_SummedPerModel()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            await store.WriteAsync([Entries.Make("a", T0), Entries.Make("b", T0 + 1)], TestContext.Current.CancellationToken);

            var model = Assert.Single((await store.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken)).Models);

            Assert.Equal((2L, 4L, 6L, 2L), (model.ToolUses, model.ToolResults, model.ToolCalls, model.TtftCount));
            Assert.Equal(421, model.TtftMsSum, 6);
        }
    }

    [Fact]
    public async Task ReadSeries_Buckets_CountsTokensAndNearestRankPercentilesPerModel()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var batch = new List<RequestLogEntry>();

            // Bucket 0 (T0 .. T0+60): 20 gpt-4o requests lasting 10, 20, … 200 ms, TTFT on the even ones; one error.
            for (var i = 1; i <= 20; i++)
            {
                batch.Add(Entries.Make("g" + i, T0 + i, input: i, output: 1, errorType: i == 7 ? ErrorTypes.Timeout : null) with { DurationMs = i * 10, TtftMs = i % 2 == 0 ? i : null });
            }

            // Bucket 2 (T0+120 ..): one claude request; and rows outside the window on both sides.
            batch.Add(Entries.Make("c", T0 + 150, provider: "anthropic", model: "claude", streaming: false) with { DurationMs = 42, TtftMs = null });
            batch.Add(Entries.Make("before", T0 - 1));
            batch.Add(Entries.Make("after", T0 + 180));
            await store.WriteAsync(batch, TestContext.Current.CancellationToken);

            var points = await store.ReadSeriesAsync(new SeriesQuery(T0, 60, 3), TestContext.Current.CancellationToken);

            Assert.Equal(2, points.Count);
            var gpt = points[0];
            Assert.Equal((0, "openai", "gpt-4o", 20L, 1L, 210L, 20L), (gpt.Bucket, gpt.Provider, gpt.Model, gpt.Requests, gpt.Errors, gpt.InputTokens, gpt.OutputTokens));

            // Nearest rank: p50 of 20 values is the 10th, p95 the 19th; TTFT p50 of {2, 4, … 20} is the 5th.
            Assert.Equal((100.0, 190.0, 10.0), (gpt.P50DurationMs, gpt.P95DurationMs, gpt.P50TtftMs));
            var claude = points[1];
            Assert.Equal((2, "anthropic", "claude", 1L, 42.0, 42.0, (double?)null), (claude.Bucket, claude.Provider, claude.Model, claude.Requests, claude.P50DurationMs, claude.P95DurationMs, claude.P50TtftMs));
        }
    }

    [Fact]
    public async Task Prune_Cutoff_DeletesOnlyRequestsThatEndedBefore()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            await store.WriteAsync([Entries.Make("old", T0 - 1000), Entries.Make("new", T0)], TestContext.Current.CancellationToken);

            var pruned = await store.PruneAsync(T0 - 10, TestContext.Current.CancellationToken);

            Assert.Equal(1, pruned);
            Assert.Equal(["new"], (await store.ReadLogsAsync(new StoredLogQuery(), TestContext.Current.CancellationToken)).Select(r => r.Entry.RequestId));
        }
    }

    [Fact]
    public async Task Reopen_AfterRestart_TotalsAndLogsAreTheSame()
    {
        var (url, store) = await NewStoreAsync();
        IReadOnlyList<StoredRequest> logsBefore;
        StoredTotals totalsBefore;
        await using (store)
        {
            await store.WriteAsync([Entries.Make("a", T0), Entries.Make("b", T0 + 1, errorType: ErrorTypes.Timeout)], TestContext.Current.CancellationToken);
            logsBefore = await store.ReadLogsAsync(new StoredLogQuery(), TestContext.Current.CancellationToken);
            totalsBefore = await store.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken);
        }

        await using var reopened = Open(url);
        await reopened.MigrateAsync(TestContext.Current.CancellationToken);

        var logsAfter = await reopened.ReadLogsAsync(new StoredLogQuery(), TestContext.Current.CancellationToken);
        var totalsAfter = await reopened.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken);
        Assert.Equal(logsBefore.Select(r => (r.Id, Entries.Json(r.Entry))), logsAfter.Select(r => (r.Id, Entries.Json(r.Entry))));
        Assert.Equal(totalsBefore.FirstStartTime, totalsAfter.FirstStartTime);
        Assert.Equal(totalsBefore.Models, totalsAfter.Models);
    }

    [Fact]
    public async Task Writer_StopAfterQueueing_FlushesEverythingToTheStore()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var writer = new HistoryWriter(store, new HistoryWriterOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            writer.Start();

            // Recent requests: the writer's retention pruning (30 days) must keep them.
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            for (var i = 0; i < 1200; i++)
            {
                writer.OnFinished(null!, Entries.Make("w" + i, now - i));
            }

            await writer.StopAsync(TestContext.Current.CancellationToken);

            Assert.Equal(1200, writer.Written);
            Assert.Equal(0, writer.Dropped);
            var totals = await store.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken);
            Assert.Equal(1200, totals.Models.Sum(m => m.Requests));
        }
    }

    [Fact]
    public async Task Writer_UnflushedPlusStoreUpToWatermark_CountsEveryRequestOnce()
    {
        var (_, store) = await NewStoreAsync();
        await using (store)
        {
            var ct = TestContext.Current.CancellationToken;
            var writer = new HistoryWriter(store, new HistoryWriterOptions { BatchSize = 7 }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            writer.Start();
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            const int Total = 300;

            // Read while the writer commits batches: every reading must see each request exactly once.
            var readings = new List<long>();
            for (var i = 0; i < Total; i++)
            {
                writer.OnFinished(null!, Entries.Make("u" + i, now));
                if (i % 30 == 29)
                {
                    readings.Add(await CountAsync());
                    Assert.Equal(i + 1, readings[^1]);
                }
            }

            await writer.StopAsync(ct);

            Assert.Equal(Total, await CountAsync());
            Assert.Empty(writer.ReadUnflushed().Unflushed);

            async Task<long> CountAsync()
            {
                var (committed, unflushed) = writer.ReadUnflushed();
                var stored = await store.ReadTotalsAsync(null, null, new TotalsExclusion(writer.InstanceId, committed), ct);
                return stored.Models.Sum(m => m.Requests) + unflushed.Length;
            }
        }
    }
}

public sealed class SqliteRequestStoreTests : RequestStoreContract, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("inflight-sqlite-");
    private int _files;

    protected override Task<string> NewDatabaseUrlAsync()
        => Task.FromResult("sqlite:" + Path.Combine(_directory.FullName, $"history-{Interlocked.Increment(ref _files)}.db"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}

public sealed class PostgresRequestStoreTests(TempPostgres postgres) : RequestStoreContract, IClassFixture<TempPostgres>
{
    private const double T0 = 1_780_000_000;

    protected override Task<string> NewDatabaseUrlAsync() => postgres.CreateDatabaseAsync();

    [Fact]
    public async Task Write_SameInputAsSqlite_ReadsBackTheSameRowsTotalsAndSeries()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("inflight-sqlite-");
        try
        {
            // Mixed rows, including notes neither store can keep as a list (an empty note, a note with a newline).
            var batch = Enumerable.Range(0, 600)
                .Select(i => (i % 4) switch
                {
                    0 => Entries.Full("s" + i, T0 + i),
                    1 => Entries.Sparse("s" + i, T0 + i),
                    2 => Entries.Make("s" + i, T0 + i, provider: "anthropic", model: "claude", errorType: ErrorTypes.Timeout) with { TranslationNotes = ["", "two\nlines"] },
                    _ => Entries.Make("s" + i, T0 + i, input: i) with { DurationMs = i * 1.25, ErrorMessage = "ошибка " + i },
                })
                .ToArray();
            var sequences = Enumerable.Range(1, batch.Length).Select(i => (long)i).ToArray();
            var series = new SeriesQuery(T0, 60, 12);

            async Task<(string[] Logs, StoredTotals Totals, StoredTotals Mine, IReadOnlyList<StoredSeriesPoint> Series)> WriteAndReadAsync(string url)
            {
                Assert.True(StoreLocation.TryParse(url, out var location, out var error), error);
                await using var store = HistoryStores.Create(location)!;
                await store.MigrateAsync(ct);
                await store.WriteAsync(batch[..250], new BatchOrigin("run-1", sequences[..250]), ct);
                await store.WriteAsync(batch[250..], new BatchOrigin("run-1", sequences[250..]), ct);
                var logs = await store.ReadLogsAsync(new StoredLogQuery { Limit = 1000 }, ct);
                return (
                    [.. logs.Select(r => Entries.Stored(r.Entry))],
                    await store.ReadTotalsAsync(null, null, ct),
                    await store.ReadTotalsAsync(null, null, new TotalsExclusion("run-1", 300), ct),
                    await store.ReadSeriesAsync(series, ct));
            }

            var sqlite = await WriteAndReadAsync("sqlite:" + Path.Combine(directory.FullName, "history.db"));
            var fromPostgres = await WriteAndReadAsync(await NewDatabaseUrlAsync());

            Assert.Equal(batch.Length, sqlite.Logs.Length);
            Assert.Equal(sqlite.Logs, fromPostgres.Logs);
            Assert.Equal(sqlite.Totals.FirstStartTime, fromPostgres.Totals.FirstStartTime);
            Assert.Equal(sqlite.Totals.Models, fromPostgres.Totals.Models);
            Assert.Equal(sqlite.Mine.Models, fromPostgres.Mine.Models);
            Assert.Equal(sqlite.Series, fromPostgres.Series);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Write_BatchWithARowPostgresRejects_StoresNoneOfItAndTheNextBatchGoesIn()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.True(StoreLocation.TryParse(await NewDatabaseUrlAsync(), out var location, out var error), error);
        await using var store = HistoryStores.Create(location)!;
        await store.MigrateAsync(ct);
        await store.WriteAsync([Entries.Make("before", T0)], ct);

        // PostgreSQL's TEXT cannot hold NUL: the last row fails the whole batch, after the rows before it were sent.
        RequestLogEntry[] rejected = [.. Enumerable.Range(0, 100).Select(i => Entries.Make("r" + i, T0 + i)), Entries.Make("nul", T0) with { ErrorMessage = "a\0b" }];
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => store.WriteAsync(rejected, ct));
        await store.WriteAsync([Entries.Make("after", T0 + 1)], ct);

        var read = await store.ReadLogsAsync(new StoredLogQuery(), ct);
        Assert.Equal(["after", "before"], read.Select(r => r.Entry.RequestId));
    }
}
