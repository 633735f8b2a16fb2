using System.Globalization;
using System.Net;
using System.Text.Json;
using Inflight.History;
using Inflight.HistoryHosting;
using Inflight.Tests.Metrics;
using Inflight.Tracking;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Inflight.Tests.History;

/// <summary><c>/metrics/running-totals</c> and <c>/metrics/history</c> over the history store (SQLite in a temp file).</summary>
public sealed class HistoryTotalsTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("inflight-totals-");
    private readonly double _now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetRunningTotals_StoredRequestsOfAnEarlierRun_CountedWithThisRunsAndSinceTheFirst()
    {
        const string Provider = "totals_earlier";
        var url = await SeedAsync("earlier.db", Stored(Provider, "a", _now - 7200, input: 10), Stored(Provider, "b", _now - 3000, input: 10));
        await using var host = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        using var client = host.CreateClient();
        Finish(host, Provider, input: 5);

        // Counted once whether this run's request is still queued or already written.
        using var early = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}");
        await WaitStoredAsync(host, Provider, 3);
        using var late = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}");

        foreach (var json in new[] { early, late })
        {
            var summary = json.RootElement.GetProperty("summary");
            Assert.Equal((3, 25), (summary.GetProperty("total_requests").GetInt64(), summary.GetProperty("input_tokens").GetInt64()));
            Assert.Equal(_now - 7200, json.RootElement.GetProperty("since").GetDouble(), 3);
            Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("until").ValueKind);
        }
    }

    [Fact]
    public async Task GetRunningTotals_SinceAndUntil_CountOnlyRequestsStartedInTheRange()
    {
        const string Provider = "totals_range";
        var url = await SeedAsync("range.db", Stored(Provider, "old", _now - 7200, input: 10), Stored(Provider, "recent", _now - 1800, input: 100));
        await using var host = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        using var client = host.CreateClient();
        Finish(host, Provider, input: 1000);
        var hourAgo = DateTimeOffset.FromUnixTimeMilliseconds((long)((_now - 3600) * 1000)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        using var lastHour = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}&since={hourAgo}");
        using var lastHourButOneMinute = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}&since={_now - 3600:0.###}&until={_now - 60:0.###}");
        await WaitStoredAsync(host, Provider, 3);
        using var lastHourFlushed = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}&since={_now - 3600:0.###}");

        Assert.Equal(1100, InputTokens(lastHour));
        Assert.Equal(1100, InputTokens(lastHourFlushed));
        Assert.Equal(100, InputTokens(lastHourButOneMinute));
        Assert.Equal(_now - 3600, lastHourButOneMinute.RootElement.GetProperty("since").GetDouble(), 2);
        Assert.Equal(_now - 60, lastHourButOneMinute.RootElement.GetProperty("until").GetDouble(), 2);
    }

    [Fact]
    public async Task Restart_Totals_SameThroughTheEndpointBeforeAndAfter()
    {
        const string Provider = "totals_restart";
        var url = "sqlite:" + Path.Combine(_directory.FullName, "restart.db");
        string before;
        await using (var first = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url)))
        {
            using var client = first.CreateClient();
            Finish(first, Provider, input: 7);
            Finish(first, Provider, input: 9, error: true);
            before = await TotalsWithoutTimestampAsync(client, Provider);
        }

        await using var second = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        using var secondClient = second.CreateClient();

        Assert.Equal(before, await TotalsWithoutTimestampAsync(secondClient, Provider));
    }

    [Fact]
    public async Task GetRunningTotals_HistoryNone_SinceIsTheProcessStartAndRangesAreRefused()
    {
        await using var host = MetricsHost.Create();
        using var client = host.CreateClient();

        using var json = await GetJsonAsync(client, "/metrics/running-totals?format=json");
        using var ranged = await client.GetAsync("/metrics/running-totals?format=json&since=1", Ct);

        Assert.Equal(host.Tracker().StartTime, json.RootElement.GetProperty("since").GetDouble());
        await AssertBadParameterAsync(ranged, "since");
    }

    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=100&until=50", "until")]
    [InlineData("until=soon", "until")]
    [InlineData("since=100&include_active=true", "include_active")]
    public async Task GetRunningTotals_BadRange_Returns400NamingTheParameter(string query, string parameter)
    {
        await using var host = MetricsHost.Create(("INFLIGHT_DATABASE_URL", "sqlite:" + Path.Combine(_directory.FullName, "bad.db")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/metrics/running-totals?format=json&" + query, Ct);

        await AssertBadParameterAsync(response, parameter);
    }

    [Fact]
    public async Task GetHistory_StoredRequests_SeriesPerModelInTheirBuckets()
    {
        const string Provider = "history_series";
        var step = 300.0;
        var to = (Math.Floor(_now / step) + 1) * step;
        var from = to - (12 * step);

        // Three requests in the bucket of "20 minutes ago", one of them failed, one on another model 2 buckets later.
        // Ten seconds into that bucket, so the three seconds they span never straddle a bucket edge.
        var t = (Math.Floor(_now / step) - 4) * step + 10;
        var url = await SeedAsync(
            "series.db",
            Stored(Provider, "s1", t, input: 10, durationMs: 100, ttftMs: 30),
            Stored(Provider, "s2", t + 1, input: 20, durationMs: 300, ttftMs: 50, error: true),
            Stored(Provider, "s3", t + 2, input: 30, durationMs: 200, ttftMs: null),
            Stored(Provider, "s4", t + 600, input: 1, durationMs: 50, ttftMs: 5, model: "small"));
        await using var host = MetricsHost.Create(("INFLIGHT_DATABASE_URL", url));
        using var client = host.CreateClient();

        using var json = await GetJsonAsync(client, "/metrics/history?window=1h&step=5m");

        var root = json.RootElement;
        Assert.Equal(12, root.GetProperty("timestamps").GetArrayLength());

        // The host reads its own clock: a bucket edge may have passed since _now, moving the window one step on.
        var answeredFrom = root.GetProperty("from").GetDouble();
        Assert.Contains(Math.Round(answeredFrom, 3), new[] { Math.Round(from, 3), Math.Round(from + step, 3) });
        from = answeredFrom;
        var bucket = (int)Math.Floor((t - from) / step);
        var big = Series(root, Provider + ":m");
        Assert.Equal(3, big.GetProperty("requests")[bucket].GetInt64());
        Assert.Equal(1, big.GetProperty("errors")[bucket].GetInt64());
        Assert.Equal(60, big.GetProperty("input_tokens")[bucket].GetInt64());
        Assert.Equal((200.0, 300.0, 30.0), (big.GetProperty("p50_duration_ms")[bucket].GetDouble(), big.GetProperty("p95_duration_ms")[bucket].GetDouble(), big.GetProperty("p50_ttft_ms")[bucket].GetDouble()));
        Assert.Equal(3, big.GetProperty("requests").EnumerateArray().Sum(e => e.GetInt64()));
        Assert.Equal(JsonValueKind.Null, big.GetProperty("p50_duration_ms")[(bucket + 5) % 12].ValueKind);
        var small = Series(root, Provider + ":small");
        Assert.Equal(1, small.GetProperty("requests")[(int)Math.Floor((t + 600 - from) / step)].GetInt64());
    }

    [Theory]
    [InlineData("window=2h", "window")]
    [InlineData("window=1h&step=1s", "step")]
    [InlineData("window=1h&step=2h", "step")]
    [InlineData("window=7d&step=10m", "step")]
    [InlineData("window=24h&step=fast", "step")]
    public async Task GetHistory_BadWindowOrStep_Returns400NamingIt(string query, string parameter)
    {
        await using var host = MetricsHost.Create(("INFLIGHT_DATABASE_URL", "sqlite:" + Path.Combine(_directory.FullName, "bad-series.db")));
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/metrics/history?" + query, Ct);

        await AssertBadParameterAsync(response, parameter);
    }

    [Fact]
    public async Task GetHistory_HistoryNone_SaysItIsOffAndHowToTurnItOn()
    {
        await using var host = MetricsHost.Create();
        using var client = host.CreateClient();

        using var json = await GetJsonAsync(client, "/metrics/history?window=24h");

        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.Contains("INFLIGHT_DATABASE_URL", json.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> SeedAsync(string file, params RequestLogEntry[] entries)
    {
        var url = "sqlite:" + Path.Combine(_directory.FullName, file);
        Assert.True(StoreLocation.TryParse(url, out var location, out _));
        await using var store = HistoryStores.Create(location)!;
        await store.MigrateAsync(Ct);
        await store.WriteAsync(entries, null, Ct);
        return url;
    }

    private static RequestLogEntry Stored(string provider, string id, double start, long input, double durationMs = 100, double? ttftMs = 20, bool error = false, string model = "m")
        => new()
        {
            RequestId = id,
            Provider = provider,
            Model = model,
            RequestedModel = provider + ":" + model,
            QualifiedModel = provider + ":" + model,
            IsStreaming = true,
            Status = error ? RequestStatus.Error : RequestStatus.Success,
            ErrorType = error ? ErrorTypes.Timeout : null,
            StartTime = start,
            EndTime = start + (durationMs / 1000),
            DurationMs = durationMs,
            TtftMs = ttftMs,
            InputTokens = input,
            OutputTokens = 1,
            ClientFormat = "openai",
            UpstreamFormat = "openai",
        };

    private static void Finish(WebApplicationFactory<Program> host, string provider, long input, bool error = false)
    {
        var request = host.Tracker().Start(MetricsHost.Start(provider, "m", streaming: true));
        request.ReportUsage(inputTokens: input, outputTokens: 1);
        if (error)
        {
            request.Fail(ErrorTypes.Timeout, "too slow", 504);
        }
        else
        {
            request.Complete();
        }
    }

    /// <summary>Awaits the writer until the store holds <paramref name="count"/> requests of <paramref name="provider"/>.</summary>
    private static async Task WaitStoredAsync(WebApplicationFactory<Program> host, string provider, int count)
    {
        var store = host.Services.GetRequiredService<HistoryService>().Store!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while ((await store.ReadLogsAsync(new StoredLogQuery { Provider = provider }, timeout.Token)).Count < count)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }
    }

    private static async Task<string> TotalsWithoutTimestampAsync(HttpClient client, string provider)
    {
        using var json = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={provider}");
        var root = json.RootElement;

        // Durations are summed as ticks in memory and as doubles in the store: equal to the microsecond, not to the last bit.
        return string.Join(' ', Flatten(root.GetProperty("summary")).Concat(Flatten(root.GetProperty("providers"))).Concat(Flatten(root.GetProperty("models"))));

        static IEnumerable<string> Flatten(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Flatten(p.Value).Select(v => p.Name + "=" + v)),
            JsonValueKind.Number => [Math.Round(element.GetDouble(), 3).ToString(CultureInfo.InvariantCulture)],
            _ => [element.GetRawText()],
        };
    }

    private static long InputTokens(JsonDocument json) => json.RootElement.GetProperty("summary").GetProperty("input_tokens").GetInt64();

    private static JsonElement Series(JsonElement root, string key)
        => root.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("key").GetString() == key);

    private static async Task AssertBadParameterAsync(HttpResponseMessage response, string parameter)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(parameter, json.RootElement.GetProperty("parameter").GetString());
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string path)
        => JsonDocument.Parse(await client.GetStringAsync(path, Ct));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
