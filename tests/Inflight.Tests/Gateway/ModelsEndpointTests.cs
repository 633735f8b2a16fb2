using System.Net;
using System.Text.Json;
using Inflight.Testing;
using Inflight.Tests.Clients;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Gateway;

/// <summary><c>GET /v1/models</c> through the real host, with one OpenAI-format and one Anthropic-format provider.</summary>
public sealed class ModelsEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] s_allIds =
    [
        // The default provider first, with its alias after its own models; then the others by name.
        "fake:gpt-4.1", "fake:gpt-4o-mini", "fake:sonnet",
        "second:claude-sonnet-4-5-20250929", "second:claude-haiku-4-5-20251001",
    ];

    [Fact]
    public async Task ListModels_AnthropicVersion_AnswersAnthropicListOfEveryProvider()
    {
        await using var providers = await Providers.StartAsync();

        using var response = await providers.App.Client.SendAsync(Get("/v1/models", anthropic: true), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = body.RootElement;
        var data = root.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(s_allIds, data.Select(m => m.GetProperty("id").GetString()));
        Assert.All(data, m => Assert.Equal("model", m.GetProperty("type").GetString()));
        Assert.False(root.GetProperty("has_more").GetBoolean());
        Assert.Equal(("fake:gpt-4.1", "second:claude-haiku-4-5-20251001"), (root.GetProperty("first_id").GetString(), root.GetProperty("last_id").GetString()));
        var sonnet = data.Single(m => m.GetProperty("id").GetString() == "second:claude-sonnet-4-5-20250929");
        Assert.Equal("claude-sonnet-4-5-20250929", sonnet.GetProperty("display_name").GetString());
        Assert.Equal("2025-09-29T00:00:00Z", sonnet.GetProperty("created_at").GetString());
        var alias = data.Single(m => m.GetProperty("id").GetString() == "fake:sonnet");
        Assert.Equal("sonnet → gpt-4.1", alias.GetProperty("display_name").GetString());
        Assert.Equal("1970-01-01T00:00:00Z", alias.GetProperty("created_at").GetString());

        // Each provider was asked in its own format, with its own key.
        var openAI = Assert.Single(providers.OpenAI.Requests);
        Assert.Equal(("/v1/models", "Bearer openai-secret"), (openAI.PathAndQuery, openAI.Headers["authorization"]));
        var anthropic = Assert.Single(providers.Anthropic.Requests);
        Assert.Equal(("/v1/models?limit=1000", "anthropic-secret"), (anthropic.PathAndQuery, anthropic.Headers["x-api-key"]));
        Assert.Equal("2023-06-01", anthropic.Headers["anthropic-version"]);
    }

    [Fact]
    public async Task ListModels_NoAnthropicVersion_AnswersOpenAIList()
    {
        await using var providers = await Providers.StartAsync();

        using var body = JsonDocument.Parse(await providers.App.Client.GetStringAsync("/v1/models", Ct));

        var root = body.RootElement;
        Assert.Equal("list", root.GetProperty("object").GetString());
        var data = root.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(s_allIds, data.Select(m => m.GetProperty("id").GetString()));
        Assert.All(data, m => Assert.Equal("model", m.GetProperty("object").GetString()));
        var gpt = data[0];
        Assert.Equal(("fake", 1_744_316_542L), (gpt.GetProperty("owned_by").GetString(), gpt.GetProperty("created").GetInt64()));
        var claude = data.Single(m => m.GetProperty("id").GetString() == "second:claude-sonnet-4-5-20250929");
        Assert.Equal(("second", new DateTimeOffset(2025, 9, 29, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()), (claude.GetProperty("owned_by").GetString(), claude.GetProperty("created").GetInt64()));
    }

    [Fact]
    public async Task ListModels_AnthropicLimitAndCursors_PagesLikeAnthropic()
    {
        await using var providers = await Providers.StartAsync();

        var first = await PageAsync(providers.App, "?limit=2");
        var second = await PageAsync(providers.App, "?limit=2&after_id=" + first.LastId);
        var last = await PageAsync(providers.App, "?limit=2&after_id=" + second.LastId);
        var before = await PageAsync(providers.App, "?limit=2&before_id=" + last.FirstId);

        AssertPage(first, ["fake:gpt-4.1", "fake:gpt-4o-mini"], hasMore: true);
        AssertPage(second, ["fake:sonnet", "second:claude-sonnet-4-5-20250929"], hasMore: true);
        AssertPage(last, ["second:claude-haiku-4-5-20251001"], hasMore: false);
        AssertPage(before, second.Ids, hasMore: true);
    }

    private static void AssertPage((List<string?> Ids, bool HasMore, string? FirstId, string? LastId) page, IEnumerable<string?> ids, bool hasMore)
    {
        Assert.Equal(ids, page.Ids);
        Assert.Equal(hasMore, page.HasMore);
        Assert.Equal((page.Ids[0], page.Ids[^1]), (page.FirstId, page.LastId));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    [InlineData("?after_id=nope:model", "after_id")]
    [InlineData("?after_id=fake:gpt-4.1&before_id=fake:sonnet", "after_id and before_id")]
    public async Task ListModels_BadPagingParameter_Answers400NamingIt(string query, string named)
    {
        await using var providers = await Providers.StartAsync();

        using var response = await providers.App.Client.SendAsync(Get("/v1/models" + query, anthropic: true), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.StartsWith(named, body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListModels_OneProviderFails_ListsTheOthers()
    {
        await using var providers = await Providers.StartAsync(anthropicStatus: 500);

        using var body = JsonDocument.Parse(await providers.App.Client.GetStringAsync("/v1/models", Ct));

        Assert.Equal(s_allIds[..3], body.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task ListModels_EveryProviderFails_Answers502NamingThem()
    {
        await using var upstream = await FakeUpstream.StartAsync((ctx, _) => FakeResponses.WriteJsonAsync(ctx, ProviderRecordings.AnthropicRateLimit, 429));
        await using var app = GatewayApp.StartWithUpstream(upstream, "anthropic");

        using var response = await app.Client.SendAsync(Get("/v1/models", anthropic: true), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Contains("fake answered 429", body.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListModels_WrongProxyKey_Answers401InClientShape(bool anthropic)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ClaudeCodeProvider("openai").HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, "openai", new() { ["PROXY_API_KEY"] = "right-key" });
        using var request = Get("/v1/models", anthropic);
        request.Headers.Add("x-api-key", "wrong-key");

        using var response = await app.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        // Anthropic's envelope has a top-level "type":"error"; OpenAI's carries a code instead.
        Assert.Equal(anthropic, body.RootElement.TryGetProperty("type", out _));
        Assert.Equal(!anthropic, error.TryGetProperty("code", out _));
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task ListModels_DemoMode_ListsDemoModelsWithPrefix()
    {
        await using var app = GatewayApp.Start(new Dictionary<string, string?> { ["INFLIGHT_DEMO"] = "true", ["DEMO_TRAFFIC"] = "false" });

        using var response = await app.Client.SendAsync(Get("/v1/models", anthropic: true), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var ids = body.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("demo:claude-demo", ids);
        Assert.Contains("demo:gpt-demo", ids);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GetModel_ListedId_AnswersThatModelInClientShape(bool anthropic)
    {
        await using var providers = await Providers.StartAsync();

        using var response = await providers.App.Client.SendAsync(Get("/v1/models/second:claude-haiku-4-5-20251001", anthropic), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("second:claude-haiku-4-5-20251001", body.RootElement.GetProperty("id").GetString());
        Assert.Equal("model", body.RootElement.GetProperty(anthropic ? "type" : "object").GetString());
        Assert.Empty(providers.OpenAI.Requests);
    }

    [Theory]
    [InlineData("fake:gpt-9")]
    [InlineData("nope:gpt-4.1")]
    [InlineData("gpt-4.1")]
    public async Task GetModel_UnknownId_Answers404InClientShape(string id)
    {
        await using var providers = await Providers.StartAsync();

        using var response = await providers.App.Client.SendAsync(Get("/v1/models/" + id, anthropic: true), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("not_found_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    private static HttpRequestMessage Get(string path, bool anthropic)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (anthropic)
        {
            request.Headers.Add("anthropic-version", "2023-06-01");
        }

        return request;
    }

    private static async Task<(List<string?> Ids, bool HasMore, string? FirstId, string? LastId)> PageAsync(GatewayApp app, string query)
    {
        using var response = await app.Client.SendAsync(Get("/v1/models" + query, anthropic: true), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = body.RootElement;
        return (
            [.. root.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString())],
            root.GetProperty("has_more").GetBoolean(),
            root.GetProperty("first_id").GetString(),
            root.GetProperty("last_id").GetString());
    }

    /// <summary>Provider <c>fake</c> (OpenAI format, the default, alias SONNET) and <c>second</c> (Anthropic format).</summary>
    private sealed class Providers : IAsyncDisposable
    {
        public required FakeUpstream OpenAI { get; init; }
        public required FakeUpstream Anthropic { get; init; }
        public required GatewayApp App { get; init; }

        public static async Task<Providers> StartAsync(int anthropicStatus = 200)
        {
            var openAI = await FakeUpstream.StartAsync(new ClaudeCodeProvider("openai").HandleAsync);
            var anthropicProvider = new ClaudeCodeProvider("anthropic");
            var anthropic = await FakeUpstream.StartAsync((ctx, request) => anthropicStatus == 200
                ? anthropicProvider.HandleAsync(ctx, request)
                : FakeResponses.WriteJsonAsync(ctx, """{"type":"error","error":{"type":"api_error","message":"Internal server error"}}""", anthropicStatus));
            var app = GatewayApp.Start(new Dictionary<string, string?>
            {
                ["FAKE_API_KEY"] = "openai-secret",
                ["FAKE_BASE_URL"] = openAI.BaseUrl + "v1",
                ["FAKE_API_FORMAT"] = "openai",
                ["FAKE_ALIAS_SONNET"] = "gpt-4.1",
                ["SECOND_API_KEY"] = "anthropic-secret",
                ["SECOND_BASE_URL"] = anthropic.BaseUrl + "v1",
                ["SECOND_API_FORMAT"] = "anthropic",
                ["VDM_DEFAULT_PROVIDER"] = "fake",
            });
            return new Providers { OpenAI = openAI, Anthropic = anthropic, App = app };
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await OpenAI.DisposeAsync();
            await Anthropic.DisposeAsync();
        }
    }
}
