using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Inflight.Tests.Metrics;

public sealed class ActiveRequestsStreamTests
{
    [Fact]
    public async Task Stream_OnConnect_SendsCurrentSnapshotAtOnce()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        using var active = host.StartRequest();

        await using var stream = await SseTestStream.OpenAsync(client);
        var first = await stream.NextAsync();

        Assert.Equal("update", first.EventType);
        using var json = JsonDocument.Parse(first.Data);
        Assert.False(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.True(json.RootElement.GetProperty("timestamp").GetDouble() > 1_600_000_000);
        Assert.Contains(active.RequestId, SseTestStream.RequestIds(first));
    }

    [Fact]
    public async Task Stream_RequestStartsAndFinishes_PushesBoth()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        await using var stream = await SseTestStream.OpenAsync(client);
        await stream.NextAsync();

        var clock = Stopwatch.StartNew();
        var request = host.StartRequest();
        var started = await stream.WaitForAsync(e => SseTestStream.RequestIds(e).Contains(request.RequestId));
        var startLatency = clock.Elapsed;
        clock.Restart();
        request.Complete();
        var finished = await stream.WaitForAsync(e => !SseTestStream.RequestIds(e).Contains(request.RequestId));
        var finishLatency = clock.Elapsed;

        Assert.Equal("update", started.EventType);
        Assert.Equal("update", finished.EventType);
        TestContext.Current.TestOutputHelper?.WriteLine($"push latency: start {startLatency.TotalMilliseconds:F1} ms, finish {finishLatency.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task Stream_WhileRequestsActive_SendsPeriodicUpdates()
    {
        await using var host = MetricsTestHost.Start(("VDM_ACTIVE_REQUESTS_SSE_INTERVAL", "0.2"));
        using var client = host.CreateClient();
        using var active = host.StartRequest();
        await using var stream = await SseTestStream.OpenAsync(client);
        await stream.WaitForAsync(e => SseTestStream.RequestIds(e).Contains(active.RequestId));
        var versionBefore = host.Tracker.Version;

        var durations = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var update = await stream.NextAsync();
            durations.Add(DurationOf(update, active.RequestId));
        }

        // No tracker change happened: the updates are the interval refresh, and they show the time moving.
        Assert.Equal(versionBefore, host.Tracker.Version);
        Assert.True(durations[0] < durations[1] && durations[1] < durations[2], string.Join(", ", durations));
    }

    [Fact]
    public async Task Stream_ShortHeartbeat_SendsHeartbeatComment()
    {
        await using var host = MetricsTestHost.Start(("VDM_ACTIVE_REQUESTS_SSE_INTERVAL", "0.1"), ("VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT", "0.2"));
        using var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        using var response = await client.GetAsync(MetricsTestHost.StreamPath, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        // SseParser skips comments, so read the raw lines.
        string? line;
        do
        {
            line = await reader.ReadLineAsync(ct).AsTask().WaitAsync(MetricsTestHost.Timeout, ct);
        }
        while (line is not null && line != ": heartbeat");

        Assert.Equal(": heartbeat", line);
    }

    [Fact]
    public async Task Stream_MetricsDisabled_SendsOneDisabledEventAndCloses()
    {
        await using var host = MetricsTestHost.Start(("LOG_REQUEST_METRICS", "false"));
        using var client = host.CreateClient();

        await using var stream = await SseTestStream.OpenAsync(client);
        var events = await stream.ReadToEndAsync().WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);

        var only = Assert.Single(events);
        Assert.Equal("disabled", only.EventType);
        Assert.False(string.IsNullOrEmpty(only.EventId));
        using var json = JsonDocument.Parse(only.Data);
        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.Contains("LOG_REQUEST_METRICS", json.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_SseDisabled_Returns503WithDisabledPayload()
    {
        await using var host = MetricsTestHost.Start(("VDM_ACTIVE_REQUESTS_SSE_ENABLED", "false"));
        using var client = host.CreateClient();

        using var response = await client.GetAsync(MetricsTestHost.StreamPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("active_requests").GetArrayLength());
        Assert.Contains("VDM_ACTIVE_REQUESTS_SSE_ENABLED", json.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_Events_CarryIncreasingIdsAndRetryOnce()
    {
        await using var host = MetricsTestHost.Start(("VDM_ACTIVE_REQUESTS_SSE_INTERVAL", "0.1"), ("VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT", "0.1"));
        using var client = host.CreateClient();
        using var active = host.StartRequest();
        var ct = TestContext.Current.CancellationToken;
        using var response = await client.GetAsync(MetricsTestHost.StreamPath, HttpCompletionOption.ResponseHeadersRead, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));

        // Raw lines, so the check covers exactly what is on the wire: one retry, an id in every event block.
        var retryLines = 0;
        var eventIds = new List<long>();
        var heartbeats = 0;
        string? eventType = null;
        string? id = null;
        while (eventIds.Count < 4 || heartbeats < 1)
        {
            var line = await reader.ReadLineAsync(ct).AsTask().WaitAsync(MetricsTestHost.Timeout, ct);
            Assert.NotNull(line);
            if (line.StartsWith("retry: ", StringComparison.Ordinal))
            {
                retryLines++;
            }
            else if (line == ": heartbeat")
            {
                heartbeats++;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
            else if (line.Length == 0 && eventType is not null)
            {
                Assert.NotNull(id);
                eventIds.Add(long.Parse(id, CultureInfo.InvariantCulture));
                (eventType, id) = (null, null);
            }
        }

        Assert.Equal(1, retryLines);
        Assert.Equal(eventIds.Order(), eventIds);
        Assert.Equal(eventIds.Count, eventIds.Distinct().Count());
    }

    [Fact]
    public async Task Stream_Parsed_ExposesRetryAndEventIds()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();

        await using var stream = await SseTestStream.OpenAsync(client);
        var first = await stream.NextAsync();

        Assert.Equal(TimeSpan.FromSeconds(3), stream.Parser.ReconnectionInterval);
        Assert.False(string.IsNullOrEmpty(first.EventId));
        Assert.Equal(first.EventId, stream.Parser.LastEventId);
    }

    [Fact]
    public async Task Stream_ReconnectWithLastEventId_GetsCurrentSnapshotAtOnce()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        string lastEventId;
        await using (var firstConnection = await SseTestStream.OpenAsync(client))
        {
            lastEventId = (await firstConnection.NextAsync()).EventId!;
        }

        using var startedWhileAway = host.StartRequest();
        await using var reconnected = await SseTestStream.OpenAsync(client, lastEventId);
        var first = await reconnected.NextAsync();

        Assert.Equal("update", first.EventType);
        Assert.Contains(startedWhileAway.RequestId, SseTestStream.RequestIds(first));
        Assert.True(long.Parse(first.EventId!, CultureInfo.InvariantCulture) > long.Parse(lastEventId, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Stream_Response_HasStreamingHeaders()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();

        await using var stream = await SseTestStream.OpenAsync(client);

        var response = stream.Response;
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Equal("no", Assert.Single(response.Headers.GetValues("X-Accel-Buffering")));
        Assert.DoesNotContain(response.Content.Headers.ContentEncoding, e => e is "gzip" or "br" or "deflate");
    }

    [Fact]
    public async Task Stream_ServerStopping_EndsOpenStreams()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        await using var stream = await SseTestStream.OpenAsync(client);
        await stream.NextAsync();

        host.StopApplication();

        await stream.Completion.WaitAsync(MetricsTestHost.Timeout, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_SubscriptionRemoved()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var stream = await SseTestStream.OpenAsync(client);
        await stream.NextAsync();
        Assert.Equal(1, host.Broadcaster.SubscriberCount);

        await stream.DisposeAsync();

        // The handler disposes its subscription on the way out, once the server notices the reset.
        await host.Logs.WaitForAsync("SubscriberRemoved");
        Assert.Equal(0, host.Broadcaster.SubscriberCount);
    }

    private static double DurationOf(System.Net.ServerSentEvents.SseItem<string> update, string requestId)
    {
        using var json = JsonDocument.Parse(update.Data);
        foreach (var request in json.RootElement.GetProperty("active_requests").EnumerateArray())
        {
            if (request.GetProperty("request_id").GetString() == requestId)
            {
                return request.GetProperty("duration_ms").GetDouble();
            }
        }

        throw new InvalidOperationException($"{requestId} missing from the update");
    }
}
