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

    [Fact]
    public async Task GetHealth_AfterARepeatedTranslatedTurn_ReportsToolListCacheHits()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, """{"id":"c","object":"chat.completion","model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"""));
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai");
        var body = $$$"""{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Read","description":"Reads a file ({{{Guid.NewGuid()}}})","input_schema":{"type":"object"}}]}""";

        var before = await CacheFiguresAsync(app, "tool_list_cache");
        for (var turn = 0; turn < 2; turn++)
        {
            using var response = await app.Client.PostAsync("/v1/messages", PassThroughTests.JsonBody(body, stream: false), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var after = await CacheFiguresAsync(app, "tool_list_cache");

        // The list is new to this process (its description is unique): the first turn translated it, the second copied it.
        Assert.True(after.Misses - before.Misses >= 1, $"misses {before.Misses} -> {after.Misses}");
        Assert.True(after.Hits - before.Hits >= 1, $"hits {before.Hits} -> {after.Hits}");
        Assert.InRange(after.Entries, 1, after.Capacity);
    }

    private static async Task<(long Hits, long Misses, int Entries, int Capacity)> CacheFiguresAsync(GatewayApp app, string name = "token_count_cache")
    {
        using var json = JsonDocument.Parse(await app.Client.GetStringAsync("/health", Ct));
        var cache = json.RootElement.GetProperty(name);
        return (cache.GetProperty("hits").GetInt64(), cache.GetProperty("misses").GetInt64(), cache.GetProperty("entries").GetInt32(), cache.GetProperty("capacity").GetInt32());
    }
}
