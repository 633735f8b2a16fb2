using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Inflight.History;

namespace Inflight.Tests.Hosting;

/// <summary>The published gateway killed with SIGKILL: what the history writer had committed is all in the store.</summary>
[Collection(PackagedAppCollection.Name)]
public sealed class HistoryKillTests(PackagedApp app)
{
    private const int Requests = 20;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigkill_AfterTheWriterCommitted_StoreKeepsEveryWrittenRequestAndOpensCleanly()
    {
        var workingDirectory = app.NewWorkingDirectory();
        var database = Path.Combine(workingDirectory, "kill.db");
        await using var process = ChildProcess.Start(
            ChildProcess.Dotnet,
            [Path.Combine(app.PublishDirectory, "Inflight.dll"), "--demo"],
            workingDirectory,
            new Dictionary<string, string?>
            {
                ["PORT"] = "0",
                ["DEMO_TRAFFIC"] = "false",
                ["DEMO_ERROR_RATE"] = "0",
                ["DEMO_RATE_LIMIT_RATE"] = "0",
                ["DEMO_STREAM_BREAK_RATE"] = "0",
                ["DEMO_MAX_TTFT_MS"] = "0",
                ["DEMO_MIN_TTFT_MS"] = "0",
                ["DEMO_MIN_TOKENS_PER_SECOND"] = "10000",
                ["DEMO_MAX_TOKENS_PER_SECOND"] = "10000",
                ["INFLIGHT_DATABASE_URL"] = "sqlite:" + database,
            });
        var line = await process.WaitForLineAsync(l => l.TrimStart().StartsWith("Dashboard ", StringComparison.Ordinal), s_timeout);
        var baseAddress = new Uri(new Uri(line.Trim()["Dashboard".Length..].Trim()), "/");
        using var client = new HttpClient { BaseAddress = baseAddress, Timeout = s_timeout };

        var sends = Enumerable.Range(0, Requests).Select(async i =>
        {
            using var content = new StringContent($$"""{"model":"demo-fast","max_tokens":8,"messages":[{"role":"user","content":"kill test {{i}}"}]}""", Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync("v1/messages", content, Ct);
            response.EnsureSuccessStatusCode();
        });
        await Task.WhenAll(sends);

        // The writer reports what it committed; wait until that is every request, then kill without warning.
        var written = await WaitForHistoryAsync(client, h => h.GetProperty("written").GetInt64() >= Requests && h.GetProperty("pending").GetInt32() == 0);
        process.KillAbruptly();
        await process.WaitForExitAsync(s_timeout);

        Assert.True(StoreLocation.TryParse("sqlite:" + database, out var location, out _));
        await using var store = HistoryStores.Create(location)!;
        await store.MigrateAsync(Ct);
        var totals = await store.ReadTotalsAsync(null, null, Ct);
        var logs = await store.ReadLogsAsync(new StoredLogQuery { Limit = 1000 }, Ct);
        Assert.Equal(written, totals.Models.Sum(m => m.Requests));
        Assert.Equal(Requests, logs.Count(l => l.Entry.Model == "demo-fast"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>Polls <c>/health</c> until its history section passes <paramref name="done"/>; returns <c>written</c>.</summary>
    private static async Task<long> WaitForHistoryAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(s_timeout);
        while (true)
        {
            using var json = JsonDocument.Parse(await client.GetStringAsync("health", timeout.Token));
            var history = json.RootElement.GetProperty("history");
            if (done(history))
            {
                return history.GetProperty("written").GetInt64();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }
}
