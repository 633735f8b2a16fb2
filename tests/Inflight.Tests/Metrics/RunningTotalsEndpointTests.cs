using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Inflight.Tracking;
using YamlDotNet.RepresentationModel;

namespace Inflight.Tests.Metrics;

public sealed class RunningTotalsEndpointTests(MetricsHostFixture host) : IClassFixture<MetricsHostFixture>
{
    private readonly RequestTracker _tracker = host.Factory.Tracker();

    [Fact]
    public async Task GetRunningTotals_NoAccept_ReturnsParsableYaml()
    {
        const string Provider = "yaml_default";
        Finish(Provider, "alpha-1", streaming: true, output: 7);
        Finish(Provider, "alpha-1", streaming: false, output: 3);
        _tracker.Start(MetricsHost.Start(Provider, "beta")).Fail(ErrorTypes.RateLimit, "slow down", 429);
        using var client = host.Factory.CreateClient();

        using var response = await client.GetAsync($"/metrics/running-totals?provider={Provider}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        var root = ParseYaml(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var summary = Map(root, "summary");
        Assert.Equal("3", Scalar(summary, "total_requests"));
        Assert.Equal("1", Scalar(summary, "total_errors"));
        Assert.Equal("10", Scalar(summary, "output_tokens"));
        Assert.Equal("1", Scalar(Map(summary, "streaming"), "total_requests"));
        Assert.Equal("2", Scalar(Map(summary, "non_streaming"), "total_requests"));
        Assert.Equal("null", Scalar(summary, "average_ttft_ms"));
        Assert.Equal("3", Scalar(Map(Map(root, "providers"), Provider), "total_requests"));
        Assert.Equal("2", Scalar(Map(Map(root, "models"), Provider + ":alpha-1"), "total_requests"));
        Assert.Equal("false", Scalar(root, "include_active"));
    }

    [Theory]
    [InlineData("application/json", null)]
    [InlineData(null, "json")]
    public async Task GetRunningTotals_JsonRequested_ReturnsSnakeCaseJson(string? accept, string? format)
    {
        var provider = "json_" + (format ?? "accept");
        Finish(provider, "gpt-4o", streaming: true, input: 11, output: 5);
        using var client = host.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/metrics/running-totals?provider={provider}" + (format is null ? string.Empty : "&format=" + format));
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = await ReadJsonAsync(response);
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal("total_requests", summary.EnumerateObject().First().Name);
        Assert.Equal(1, summary.GetProperty("total_requests").GetInt64());
        Assert.Equal(11, summary.GetProperty("input_tokens").GetInt64());
        Assert.Equal(5, summary.GetProperty("output_tokens").GetInt64());
        foreach (var field in new[] { "total_errors", "cache_read_tokens", "cache_creation_tokens", "tool_uses", "tool_results", "tool_calls", "average_duration_ms", "average_ttft_ms" })
        {
            Assert.True(summary.TryGetProperty(field, out _), field);
        }

        Assert.Equal(1, summary.GetProperty("streaming").GetProperty("total_requests").GetInt64());
        Assert.Equal(0, summary.GetProperty("non_streaming").GetProperty("total_requests").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("models").GetProperty(provider + ":gpt-4o").GetProperty("total_requests").GetInt64());
        Assert.Equal(1, json.RootElement.GetProperty("providers").GetProperty(provider).GetProperty("total_requests").GetInt64());
    }

    [Theory]
    [InlineData("text/html, */*")]
    [InlineData("application/yaml, application/json;q=0.5")]
    public async Task GetRunningTotals_AcceptWithoutJsonPreference_ReturnsYaml(string accept)
    {
        using var client = host.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics/running-totals");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task GetRunningTotals_ModelGlob_FiltersCaseInsensitively()
    {
        const string Provider = "glob";
        Finish(Provider, "gpt-4o");
        Finish(Provider, "gpt-4o-mini");
        Finish(Provider, "o3-mini");
        using var client = host.Factory.CreateClient();

        using var json = await GetJsonAsync(client, $"/metrics/running-totals?format=json&provider={Provider}&model=GPT-*");

        Assert.Equal(2, json.RootElement.GetProperty("summary").GetProperty("total_requests").GetInt64());
        Assert.Equal(
            [Provider + ":gpt-4o", Provider + ":gpt-4o-mini"],
            json.RootElement.GetProperty("models").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task GetRunningTotals_IncludeActive_CountsActiveRequestOnce()
    {
        const string Provider = "include_active";
        Finish(Provider, "m", output: 1);
        var active = _tracker.Start(MetricsHost.Start(Provider, "m", streaming: true));
        active.AddEstimatedOutputTokens(4);
        using var client = host.Factory.CreateClient();
        var url = $"/metrics/running-totals?format=json&provider={Provider}";

        var without = await TotalRequestsAsync(client, url);
        var with = await TotalRequestsAsync(client, url + "&include_active=true");
        active.ReportUsage(outputTokens: 6);
        active.Complete();
        var afterFinish = await TotalRequestsAsync(client, url + "&include_active=true");
        using var final = await GetJsonAsync(client, url + "&include_active=true");

        Assert.Equal(1, without);
        Assert.Equal(2, with);
        Assert.Equal(2, afterFinish);
        Assert.Equal(7, final.RootElement.GetProperty("summary").GetProperty("output_tokens").GetInt64());
        Assert.Equal(0, final.RootElement.GetProperty("active_request_count").GetInt32());
    }

    [Theory]
    [InlineData("include_active=maybe", "include_active")]
    [InlineData("format=xml", "format")]
    public async Task GetRunningTotals_BadParameter_Returns400NamingIt(string query, string parameter)
    {
        using var client = host.Factory.CreateClient();

        using var response = await client.GetAsync("/metrics/running-totals?" + query, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = await ReadJsonAsync(response);
        Assert.Equal(parameter, json.RootElement.GetProperty("parameter").GetString());
        Assert.Contains(parameter, json.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRunningTotals_MetricsDisabled_ReturnsDisabledPayloadInBothFormats()
    {
        await using var factory = MetricsHost.Create(("LOG_REQUEST_METRICS", "false"));
        using var client = factory.CreateClient();

        using var yamlResponse = await client.GetAsync("/metrics/running-totals", TestContext.Current.CancellationToken);
        using var json = await GetJsonAsync(client, "/metrics/running-totals?format=json");

        Assert.Equal(HttpStatusCode.OK, yamlResponse.StatusCode);
        var yaml = await yamlResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("# Message:", yaml, StringComparison.Ordinal);
        Assert.Equal("true", Scalar(ParseYaml(yaml), "disabled"));
        Assert.True(json.RootElement.GetProperty("disabled").GetBoolean());
        Assert.Contains("LOG_REQUEST_METRICS", json.RootElement.GetProperty("suggestion").GetString(), StringComparison.Ordinal);
    }

    private void Finish(string provider, string model, bool streaming = false, long input = 0, long output = 0)
    {
        var request = _tracker.Start(MetricsHost.Start(provider, model, streaming));
        request.ReportUsage(input, output);
        request.Complete();
    }

    private static async Task<long> TotalRequestsAsync(HttpClient client, string url)
    {
        using var json = await GetJsonAsync(client, url);
        return json.RootElement.GetProperty("summary").GetProperty("total_requests").GetInt64();
    }

    internal static async Task<JsonDocument> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    internal static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

    private static YamlMappingNode ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value;
}
