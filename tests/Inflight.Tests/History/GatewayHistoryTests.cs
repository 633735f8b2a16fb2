using System.Text.Json;
using Inflight.History;
using Inflight.Tests.Metrics;
using Inflight.Tracking;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Inflight.Tests.History;

public sealed class GatewayHistoryTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("inflight-history-");

    [Fact]
    public async Task Restart_SqliteHistory_KeepsTheLogsAndTotalsOfTheFirstRun()
    {
        var url = "sqlite:" + Path.Combine(_directory.FullName, "inflight.db");
        const string Provider = "history_restart";
        await using (var first = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url)))
        {
            var tracker = first.Tracker();
            var ok = tracker.Start(MetricsHost.Start(Provider, "m", streaming: true) with { RequestId = "hist-1" });
            ok.ReportUsage(inputTokens: 40, outputTokens: 9);
            ok.Complete();
            tracker.Start(MetricsHost.Start(Provider, "m") with { RequestId = "hist-2" }).Fail(ErrorTypes.Timeout, "too slow", 504);
        }

        // Stopping flushed the queue; a second gateway on the same file sees both requests.
        await using var second = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        _ = second.Server;
        var store = second.Services.GetRequiredService<HistoryHosting.HistoryService>().Store!;

        var logs = await store.ReadLogsAsync(new StoredLogQuery { Provider = Provider }, TestContext.Current.CancellationToken);
        var totals = await store.ReadTotalsAsync(null, null, TestContext.Current.CancellationToken);

        Assert.Equal(["hist-2", "hist-1"], logs.Select(l => l.Entry.RequestId));
        Assert.Equal(ErrorTypes.Timeout, logs[0].Entry.ErrorType);
        var model = Assert.Single(totals.Models, m => m.Provider == Provider && m.IsStreaming);
        Assert.Equal((1L, 40L, 9L), (model.Requests, model.InputTokens, model.OutputTokens));
    }

    [Fact]
    public async Task GetLogs_AfterRestartWithFilterAndCursor_PagesThroughTheStoredRequests()
    {
        var url = "sqlite:" + Path.Combine(_directory.FullName, "logs.db");
        const string Provider = "history_logs";
        await using (var first = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url)))
        {
            var tracker = first.Tracker();
            for (var i = 0; i < 5; i++)
            {
                var request = tracker.Start(MetricsHost.Start(Provider, "m") with { RequestId = "page-" + i });
                if (i % 2 == 0)
                {
                    request.Fail(ErrorTypes.UpstreamHttpError, "boom", 500);
                }
                else
                {
                    request.Complete();
                }
            }
        }

        await using var second = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        using var client = second.CreateClient();

        using var page1 = await GetJsonAsync(client, $"/metrics/logs?provider={Provider}&limit=2");
        var cursor = page1.RootElement.GetProperty("next_before").GetInt64();
        using var page2 = await GetJsonAsync(client, $"/metrics/logs?provider={Provider}&limit=2&before={cursor}");
        using var errors = await GetJsonAsync(client, $"/metrics/logs?provider={Provider}&status=error&error_type={ErrorTypes.UpstreamHttpError}");

        Assert.Equal("store", page1.RootElement.GetProperty("source").GetString());
        Assert.Equal(["page-4", "page-3"], Ids(page1.RootElement.GetProperty("recent_requests")));
        Assert.Equal(["page-2", "page-1"], Ids(page2.RootElement.GetProperty("recent_requests")));
        Assert.Equal(["page-4", "page-2", "page-0"], Ids(errors.RootElement.GetProperty("recent_requests")));
        Assert.Equal(["page-4", "page-2", "page-0"], Ids(errors.RootElement.GetProperty("recent_errors")));
    }

    [Fact]
    public async Task GetLogs_BeforeWithoutHistory_Returns400NamingBefore()
    {
        await using var factory = MetricsHost.Create();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/metrics/logs?before=10", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("before", json.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task GetLogs_FilterWithoutHistory_FiltersTheRecentRing()
    {
        await using var factory = MetricsHost.Create();
        var tracker = factory.Tracker();
        tracker.Start(MetricsHost.Start("ring_filter", "a") with { RequestId = "ring-a" }).Complete();
        tracker.Start(MetricsHost.Start("ring_filter", "b") with { RequestId = "ring-b" }).Fail(ErrorTypes.Timeout);
        using var client = factory.CreateClient();

        using var json = await GetJsonAsync(client, "/metrics/logs?provider=ring_filter&model=b");

        Assert.Equal("memory", json.RootElement.GetProperty("source").GetString());
        Assert.Equal(["ring-b"], Ids(json.RootElement.GetProperty("recent_requests")));
    }

    [Fact]
    public async Task GetHealth_HistoryOn_ShowsStoreWrittenAndDropped()
    {
        var path = Path.Combine(_directory.FullName, "health.db");
        await using var factory = MetricsHost.Create(("INFLIGHT_DATABASE_URL", "sqlite:" + path));
        using var client = factory.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/health", TestContext.Current.CancellationToken));

        var history = json.RootElement.GetProperty("history");
        Assert.Equal("sqlite:" + path, history.GetProperty("store").GetString());
        Assert.Equal(0, history.GetProperty("dropped").GetInt64());
        Assert.True(history.TryGetProperty("pending", out _));
        Assert.True(history.TryGetProperty("written", out _));
    }

    [Fact]
    public async Task GetHealth_SqlitePathUnwritable_GatewayServesAndHealthShowsTheError()
    {
        var blocker = Path.Combine(_directory.FullName, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory", TestContext.Current.CancellationToken);
        await using var factory = MetricsHost.Create(("INFLIGHT_DATABASE_URL", "sqlite:" + Path.Combine(blocker, "inflight.db")));
        using var client = factory.CreateClient();
        factory.Tracker().Start(MetricsHost.Start("history_unwritable", "m")).Complete();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/health", TestContext.Current.CancellationToken));

        var history = json.RootElement.GetProperty("history");
        Assert.False(history.GetProperty("ready").GetBoolean());
        Assert.Equal(0, history.GetProperty("written").GetInt64());
    }

    [Fact]
    public async Task GetHealth_TestDefault_HistoryIsNone()
    {
        await using var factory = MetricsHost.Create();
        using var client = factory.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/health", TestContext.Current.CancellationToken));

        Assert.Equal("none", json.RootElement.GetProperty("history").GetProperty("store").GetString());
    }

    [Theory]
    [InlineData("INFLIGHT_DATABASE_URL", "mysql://u:secret@h/db", "INFLIGHT_DATABASE_URL")]
    [InlineData("INFLIGHT_HISTORY_DAYS", "0", "INFLIGHT_HISTORY_DAYS")]
    public async Task Start_BadHistorySetting_FailsNamingItWithoutThePassword(string key, string value, string named)
    {
        await using var factory = MetricsHost.Create((key, value));

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string path)
        => JsonDocument.Parse(await client.GetStringAsync(path, TestContext.Current.CancellationToken));

    private static string?[] Ids(JsonElement list) => [.. list.EnumerateArray().Select(e => e.GetProperty("request_id").GetString())];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
