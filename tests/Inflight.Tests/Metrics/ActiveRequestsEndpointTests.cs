using System.Net;
using System.Text.Json;

namespace Inflight.Tests.Metrics;

public sealed class ActiveRequestsEndpointTests
{
    [Fact]
    public async Task GetActiveRequests_RequestsActive_ReturnsSnakeCaseSnapshotNewestFirst()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        using var older = host.StartRequest("gpt-older");
        using var newer = host.StartRequest("gpt-newer");

        using var response = await client.GetAsync("/metrics/active-requests", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = json.RootElement;
        Assert.False(root.GetProperty("disabled").GetBoolean());
        Assert.True(root.GetProperty("timestamp").GetDouble() > 1_600_000_000);
        var ids = root.GetProperty("active_requests").EnumerateArray().Select(r => r.GetProperty("request_id").GetString()).ToList();
        var olderIndex = ids.IndexOf(older.RequestId);
        var newerIndex = ids.IndexOf(newer.RequestId);
        Assert.True(olderIndex >= 0 && newerIndex >= 0);
        var first = root.GetProperty("active_requests")[newerIndex];
        Assert.Equal("openai:gpt-newer", first.GetProperty("qualified_model").GetString());
        Assert.Equal("waiting", first.GetProperty("phase").GetString());
        Assert.True(first.GetProperty("is_streaming").GetBoolean());
        Assert.True(newerIndex < olderIndex || first.GetProperty("start_time").GetDouble() == root.GetProperty("active_requests")[olderIndex].GetProperty("start_time").GetDouble());
    }

    [Fact]
    public async Task GetActiveRequests_RequestFinished_NoLongerListed()
    {
        await using var host = MetricsTestHost.Start();
        using var client = host.CreateClient();
        var request = host.StartRequest();
        request.Complete();

        var body = await client.GetStringAsync("/metrics/active-requests", TestContext.Current.CancellationToken);

        Assert.DoesNotContain(request.RequestId, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetActiveRequests_MetricsDisabled_ReturnsDisabledPayload()
    {
        await using var host = MetricsTestHost.Start(("LOG_REQUEST_METRICS", "false"));
        using var client = host.CreateClient();
        using var active = host.StartRequest();

        using var response = await client.GetAsync("/metrics/active-requests", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("active_requests").GetArrayLength());
        Assert.Contains("LOG_REQUEST_METRICS=true", json.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("/metrics/active-requests")]
    [InlineData(MetricsTestHost.StreamPath)]
    public async Task MetricsEndpoints_ProxyKeySet_RequireKey(string path)
    {
        await using var host = MetricsTestHost.Start(("PROXY_API_KEY", "secret-key"));
        using var client = host.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        using var anonymous = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "x-api-key", "wrong" } } };
        using var wrong = await client.SendAsync(wrongKey, HttpCompletionOption.ResponseHeadersRead, ct);
        using var rightKey = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Authorization", "Bearer secret-key" } } };
        using var right = await client.SendAsync(rightKey, HttpCompletionOption.ResponseHeadersRead, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }
}
