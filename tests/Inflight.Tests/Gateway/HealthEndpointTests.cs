using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inflight.Tests.Gateway;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task GetHealth_DemoMode_ReturnsOk()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("INFLIGHT_DEMO", "true"));
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
