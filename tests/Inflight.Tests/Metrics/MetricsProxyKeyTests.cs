using System.Net;

namespace Inflight.Tests.Metrics;

public sealed class MetricsProxyKeyTests
{
    private const string Key = "test-proxy-key";

    [Theory]
    [InlineData("/metrics/running-totals")]
    [InlineData("/metrics/logs")]
    public async Task Get_ProxyKeySetWithoutKey_Returns401(string path)
    {
        await using var factory = MetricsHost.Create(("PROXY_API_KEY", Key));
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("/metrics/running-totals", "x-api-key", Key)]
    [InlineData("/metrics/logs", "x-api-key", Key)]
    [InlineData("/metrics/running-totals", "Authorization", "Bearer " + Key)]
    public async Task Get_ProxyKeySetWithKey_Returns200(string path, string header, string value)
    {
        await using var factory = MetricsHost.Create(("PROXY_API_KEY", Key));
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);

        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
