using System.Net;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Inflight.Tests.Gateway;

public sealed class HealthEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetHealth_DemoMode_ReturnsOk()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("INFLIGHT_DEMO", "true"));
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetHealth_AfterARepeatedLocalCount_ReportsTokenCountCacheHits()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, "{}"));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        const string Body = """{"model":"claude-sonnet-4-5","system":[{"type":"text","text":"A system prompt that every turn resends."}],"messages":[{"role":"user","content":[{"type":"text","text":"First question"}]}],"tools":[{"name":"Read","description":"Reads a file","input_schema":{"type":"object"}}]}""";

        using (var first = await app.Client.PostAsync("/v1/messages/count_tokens", PassThroughTests.JsonBody(Body, stream: false), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var before = await CacheFiguresAsync(app);
        using (var second = await app.Client.PostAsync("/v1/messages/count_tokens", PassThroughTests.JsonBody(Body, stream: false), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var after = await CacheFiguresAsync(app);

        // The counter is process-wide and other tests count too, so figures only grow: the second count found
        // its three blocks (system block, message block, tool) in the cache.
        Assert.True(after.Hits - before.Hits >= 3, $"hits {before.Hits} -> {after.Hits}");
        Assert.True(after.Capacity > 0);
        Assert.InRange(after.Entries, 3, after.Capacity);
    }

    private static async Task<(long Hits, long Misses, int Entries, int Capacity)> CacheFiguresAsync(GatewayApp app)
    {
        using var json = JsonDocument.Parse(await app.Client.GetStringAsync("/health", Ct));
        var cache = json.RootElement.GetProperty("token_count_cache");
        return (cache.GetProperty("hits").GetInt64(), cache.GetProperty("misses").GetInt64(), cache.GetProperty("entries").GetInt32(), cache.GetProperty("capacity").GetInt32());
    }
}
