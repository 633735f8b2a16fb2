using System.Text.Json.Nodes;
using Inflight.Testing;
using Inflight.Tests.Gateway;
using Inflight.Tests.Infrastructure;

namespace Inflight.Tests.Clients;

/// <summary>
/// The real Claude Code CLI (2.1.332, pinned in tools/clients) run with <c>claude -p</c> against Inflight,
/// with a fake provider on 127.0.0.1 in each wire format: what the CLI prints, and what the provider got.
/// </summary>
public sealed class ClaudeCodeCliTests
{
    private const string Prompt = "Inflight acceptance prompt: say hello.";
    private const string ToolMarker = "inflight-tool-ok";

    /// <summary>The aliases docs/claude-code.md suggests for an OpenAI-format provider.</summary>
    private static readonly Dictionary<string, string?> s_openAIAliases = new()
    {
        ["FAKE_ALIAS_OPUS"] = "gpt-5",
        ["FAKE_ALIAS_SONNET"] = "gpt-4.1",
        ["FAKE_ALIAS_HAIKU"] = "gpt-4o-mini",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string?, string> Models => new()
    {
        // format, --model (null: Claude Code's default), what the provider must receive
        { "anthropic", null, "claude-opus" },
        { "anthropic", "sonnet", "claude-sonnet" },
        { "anthropic", "opus", "claude-opus" },
        { "anthropic", "haiku", "claude-haiku" },
        { "openai", null, "gpt-5" },
        { "openai", "sonnet", "gpt-4.1" },
        { "openai", "opus", "gpt-5" },
        { "openai", "haiku", "gpt-4o-mini" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public async Task ClaudeP_Model_PrintsProviderAnswerAndSendsPromptAndSystem(string format, string? model, string expectedModel)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ClaudeCodeProvider(format).HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, format, Settings(format));

        var run = await ClaudeCodeCli.RunAsync(app.BaseAddress, Prompt, model is null ? [] : ["--model", model]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ClaudeCodeProvider.PlainAnswer, run.Stdout);
        var request = Assert.Single(Conversation(upstream));
        if (format == "anthropic")
        {
            Assert.StartsWith("/v1/messages", request.PathAndQuery, StringComparison.Ordinal);
            Assert.StartsWith(expectedModel, (string)request.Json["model"]!, StringComparison.Ordinal);
            Assert.Contains("Claude", SystemText(request.Json["system"]), StringComparison.Ordinal);
            Assert.Contains(Prompt, UserText(request.Json), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("/v1/chat/completions", request.PathAndQuery);
            Assert.Equal(expectedModel, (string)request.Json["model"]!);
            Assert.True(request.Json["stream"]!.GetValue<bool>());
            var messages = request.Json["messages"]!.AsArray();
            Assert.Equal("system", (string)messages[0]!["role"]!);
            Assert.Contains("Claude", SystemText(messages[0]!["content"]), StringComparison.Ordinal);
            Assert.Contains(Prompt, UserText(request.Json), StringComparison.Ordinal);
            // Claude Code's mid-conversation system message (its environment block) stays a system message.
            Assert.Contains(messages.Skip(1), m => (string)m!["role"]! == "system");
        }

        Assert.DoesNotContain(ClaudeCodeCli.ProxyKey, string.Join("\n", request.Headers.Values), StringComparison.Ordinal);
        var logged = await PassThroughTests.FinishedRequestAsync(app);
        Assert.Equal("success", logged.Status);
        Assert.Equal((2_345L, 21L), (logged.InputTokens, logged.OutputTokens));
        // What the translation left out is on the record; a passed-through request has nothing to note.
        if (format == "openai")
        {
            Assert.Contains("dropped: context_management", logged.TranslationNotes);
        }
        else
        {
            Assert.Empty(logged.TranslationNotes);
        }
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("openai")]
    public async Task ClaudeP_BashToolCall_RunsToolAndSendsResultBack(string format)
    {
        await using var upstream = await FakeUpstream.StartAsync(new ClaudeCodeProvider(format, bashCommand: "echo " + ToolMarker).HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, format, Settings(format));

        var run = await ClaudeCodeCli.RunAsync(app.BaseAddress, "Run the marker command.", ["--allowedTools", "Bash"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ClaudeCodeProvider.AnswerAfterTool(ToolMarker), run.Stdout);
        var conversation = Conversation(upstream);
        Assert.True(conversation.Count == 2, $"expected 2 model requests, got {conversation.Count}; {run}");
        var messages = conversation[1].Json["messages"]!.AsArray();
        if (format == "anthropic")
        {
            var toolUse = messages[^2]!["content"]!.AsArray().Single(b => (string?)b!["type"] == "tool_use")!;
            Assert.Equal(("Bash", ClaudeCodeProvider.ToolCallId), ((string?)toolUse["name"], (string?)toolUse["id"]));
            Assert.Equal("echo " + ToolMarker, (string?)toolUse["input"]!["command"]);
            var result = messages[^1]!["content"]!.AsArray().Single(b => (string?)b!["type"] == "tool_result")!;
            Assert.Equal(ClaudeCodeProvider.ToolCallId, (string?)result["tool_use_id"]);
            Assert.Contains(ToolMarker, result["content"]!.ToJsonString(), StringComparison.Ordinal);
        }
        else
        {
            var call = messages.Single(m => (string?)m!["role"] == "assistant" && m["tool_calls"] is not null)!["tool_calls"]!.AsArray().Single()!;
            Assert.Equal(("Bash", ClaudeCodeProvider.ToolCallId), ((string?)call["function"]!["name"], (string?)call["id"]));
            Assert.Equal("echo " + ToolMarker, (string?)JsonNode.Parse((string)call["function"]!["arguments"]!)!["command"]);
            var result = messages.Single(m => (string?)m!["role"] == "tool")!;
            Assert.Equal(ClaudeCodeProvider.ToolCallId, (string?)result["tool_call_id"]);
            Assert.Contains(ToolMarker, result["content"]!.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "gpt-4.1")]
    [InlineData("openai", "anthropic/claude-sonnet-4.5", "openai/gpt-4.1")]
    public async Task ClaudeP_GatewayModelDiscovery_OffersGatewayModels(string format, string claudeModel, string otherModel)
    {
        // Claude Code starts discovery without awaiting it and exits once it has its answer; holding the
        // answer until the cache file exists keeps a fast machine from ending the run before discovery does.
        var home = ClaudeCodeCli.NewHome();
        var cacheFile = Path.Combine(home.FullName, ".claude", "cache", "gateway-models.json");
        var provider = new ClaudeCodeProvider(format) { Models = [claudeModel, otherModel], BeforeAnswer = () => WaitForFileAsync(cacheFile) };
        await using var upstream = await FakeUpstream.StartAsync(provider.HandleAsync);
        await using var app = GatewayApp.StartWithUpstream(upstream, format, Settings(format));

        var run = await ClaudeCodeCli.RunAsync(app.BaseAddress, Prompt, [], new Dictionary<string, string>
        {
            ["CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY"] = "1",
            // Its default of 3 s is shorter than a loaded CI machine may need for the first request of a new host.
            ["CLAUDE_CODE_GATEWAY_MODEL_DISCOVERY_TIMEOUT_MS"] = "60000",
        }, home);

        Assert.True(
            upstream.Requests.Any(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/v1/models", StringComparison.Ordinal)),
            $"the provider saw no GET /v1/models, only: {string.Join(", ", upstream.Requests.Select(r => r.Method + " " + r.PathAndQuery))}; {run}");
        // Claude Code keeps the gateway's list (the models whose id names Claude) for its /model picker.
        Assert.True(run.CacheFiles.TryGetValue(Path.Combine(".claude", "cache", "gateway-models.json"), out var cache), $"no gateway-models.json; {run}");
        var offered = JsonNode.Parse(cache)!["models"]!.AsArray().Select(m => (string?)m!["id"]);
        Assert.Equal(["fake:" + claudeModel], offered);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(ClaudeCodeProvider.PlainAnswer, run.Stdout);
    }

    /// <summary>Returns once <paramref name="path"/> exists, or after 30 s (the test's assertions then say what is missing).</summary>
    private static async Task WaitForFileAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The gateway settings docs/claude-code.md describes: a proxy key, and for an OpenAI-format provider the aliases.</summary>
    private static Dictionary<string, string?> Settings(string format)
    {
        var settings = new Dictionary<string, string?> { ["PROXY_API_KEY"] = ClaudeCodeCli.ProxyKey };
        if (format == "openai")
        {
            foreach (var (alias, target) in s_openAIAliases)
            {
                settings[alias] = target;
            }
        }

        return settings;
    }

    /// <summary>The model requests (messages or chat completions) the provider received, in order, parsed.</summary>
    private static List<(string PathAndQuery, JsonNode Json, IReadOnlyDictionary<string, string> Headers)> Conversation(FakeUpstream upstream)
    {
        lock (upstream.Requests)
        {
            return [.. upstream.Requests
                .Where(r => r.Method == "POST" && !r.PathAndQuery.Contains("count_tokens", StringComparison.Ordinal))
                .Select(r => (r.PathAndQuery, JsonNode.Parse(r.Body)!, r.Headers))];
        }
    }

    /// <summary>A system prompt as text: a string or a list of text blocks.</summary>
    private static string SystemText(JsonNode? system) => system switch
    {
        null => "",
        JsonArray blocks => string.Join("\n", blocks.Select(b => (string?)b!["text"])),
        _ => (string?)system ?? "",
    };

    /// <summary>All user-message text of a request, either format.</summary>
    private static string UserText(JsonNode request)
        => string.Join("\n", request["messages"]!.AsArray().Where(m => (string?)m!["role"] == "user").Select(m => SystemText(m!["content"])));
}
