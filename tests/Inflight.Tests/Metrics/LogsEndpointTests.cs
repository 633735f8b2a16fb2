using System.Net;
using System.Text.Json;
using Inflight.Tracking;

namespace Inflight.Tests.Metrics;

public sealed class LogsEndpointTests(MetricsHostFixture host) : IClassFixture<MetricsHostFixture>
{
    private readonly RequestTracker _tracker = host.Factory.Tracker();

    [Fact]
    public async Task GetLogs_Default_ReturnsRequestsAndTypedErrorsNewestFirst()
    {
        const string Provider = "logs_default";
        _tracker.Start(MetricsHost.Start(Provider, "m") with { RequestId = "logs-ok-1" }).Complete();
        _tracker.Start(MetricsHost.Start(Provider, "m") with { RequestId = "logs-err-1" }).Fail(ErrorTypes.UpstreamHttpError, "upstream said 500", 500);
        _tracker.Start(MetricsHost.Start(Provider, "m") with { RequestId = "logs-ok-2" }).Complete();
        using var client = host.Factory.CreateClient();

        using var json = await RunningTotalsEndpointTests.GetJsonAsync(client, "/metrics/logs");

        var root = json.RootElement;
        Assert.False(root.GetProperty("disabled").GetBoolean());
        Assert.True(root.GetProperty("timestamp").GetDouble() > 0);
        Assert.Equal(["logs-ok-2", "logs-err-1", "logs-ok-1"], Ids(root.GetProperty("recent_requests"), Provider));
        var error = Assert.Single(root.GetProperty("recent_errors").EnumerateArray(), e => e.GetProperty("provider").GetString() == Provider);
        Assert.Equal("logs-err-1", error.GetProperty("request_id").GetString());
        Assert.Equal(ErrorTypes.UpstreamHttpError, error.GetProperty("error_type").GetString());
        Assert.Equal("upstream said 500", error.GetProperty("error_message").GetString());
        Assert.Equal(500, error.GetProperty("status_code").GetInt32());
        Assert.Equal("error", error.GetProperty("status").GetString());
        foreach (var field in new[] { "model", "duration_ms", "input_tokens", "output_tokens", "start_time", "end_time", "tokens_estimated" })
        {
            Assert.True(error.TryGetProperty(field, out _), field);
        }
    }

    [Fact]
    public async Task GetLogs_Limit_CapsEachList()
    {
        for (var i = 0; i < 5; i++)
        {
            _tracker.Start(MetricsHost.Start("logs_limit", "m")).Fail(ErrorTypes.Timeout);
        }

        using var client = host.Factory.CreateClient();

        using var json = await RunningTotalsEndpointTests.GetJsonAsync(client, "/metrics/logs?limit=3");

        Assert.Equal(3, json.RootElement.GetProperty("recent_requests").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("recent_errors").GetArrayLength());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    public async Task GetLogs_BadLimit_Returns400NamingLimit(string limit)
    {
        using var client = host.Factory.CreateClient();

        using var response = await client.GetAsync("/metrics/logs?limit=" + limit, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = await RunningTotalsEndpointTests.ReadJsonAsync(response);
        Assert.Equal("limit", json.RootElement.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task GetLogs_MetricsDisabled_ReturnsDisabledPayload()
    {
        await using var factory = MetricsHost.Create(("LOG_REQUEST_METRICS", "false"));
        factory.Tracker().Start(MetricsHost.Start("logs_disabled", "m")).Complete();
        using var client = factory.CreateClient();

        using var json = await RunningTotalsEndpointTests.GetJsonAsync(client, "/metrics/logs");

        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("recent_requests", out _));
    }

    private static string?[] Ids(JsonElement entries, string provider)
        => entries.EnumerateArray()
            .Where(e => e.GetProperty("provider").GetString() == provider)
            .Select(e => e.GetProperty("request_id").GetString())
            .ToArray();
}
