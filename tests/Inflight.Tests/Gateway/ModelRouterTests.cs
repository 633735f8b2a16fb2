using Inflight.Configuration;
using Inflight.Gateway;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Tests.Gateway;

public sealed class ModelRouterTests
{
    private static ModelRouter Router()
    {
        var options = new GatewayOptions { DefaultProvider = "openai" };
        options.Providers["openai"] = Provider("openai", new Dictionary<string, string>
        {
            ["HAIKU"] = "gpt-4o-mini",
            ["SONNET"] = "gpt-4.1",
            ["CLAUDE-SONNET-4"] = "gpt-5",
            ["CLAUDE_OPUS"] = "o3",
            ["SON"] = "gpt-son",
        });
        options.Providers["anthropic"] = Provider("anthropic", new Dictionary<string, string>());
        return new ModelRouter(Options.Create(options));
    }

    private static ProviderOptions Provider(string name, Dictionary<string, string> aliases) => new()
    {
        Name = name,
        ApiKey = "k",
        BaseUrl = new Uri("http://127.0.0.1:1/v1"),
        Format = name == "anthropic" ? ApiFormat.Anthropic : ApiFormat.OpenAI,
        Aliases = aliases,
    };

    [Theory]
    [InlineData("anthropic:claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5")]
    [InlineData("gpt-4o", "openai", "gpt-4o")]
    [InlineData("openai:gpt-4o", "openai", "gpt-4o")]
    [InlineData("claude-3-5-haiku-latest", "openai", "gpt-4o-mini")]
    [InlineData("claude-3-7-sonnet-latest", "openai", "gpt-4.1")]
    [InlineData("claude-sonnet-4-20250514", "openai", "gpt-5")]
    [InlineData("claude-sonnet-4", "openai", "gpt-5")]
    [InlineData("llama3:8b", "openai", "llama3:8b")]
    [InlineData("llama3:latest", "openai", "llama3:latest")]
    [InlineData("mistral:instruct", "openai", "mistral:instruct")]
    [InlineData("qwen2.5-coder:32b-instruct", "openai", "qwen2.5-coder:32b-instruct")]
    [InlineData("claude-opus-4-1", "openai", "o3")]
    [InlineData("anthropic:claude-haiku-4-5", "anthropic", "claude-haiku-4-5")]
    [InlineData("person-model", "openai", "person-model")]
    [InlineData("claude-3-5-sonnet", "openai", "gpt-4.1")]
    [InlineData("son-of-gpt", "openai", "gpt-son")]
    public void TryResolve_KnownModels_PicksProviderAndModel(string requested, string provider, string resolved)
    {
        Assert.True(Router().TryResolve(requested, out var route, out _));
        Assert.Equal(provider, route!.Provider.Name);
        Assert.Equal(resolved, route.ResolvedModel);
        Assert.Equal(requested, route.RequestedModel);
    }

    [Fact]
    public void ApplyAlias_UnderscoreInAliasName_MatchesHyphenInModel()
    {
        var provider = Provider("openai", new Dictionary<string, string> { ["CLAUDE_HAIKU"] = "gpt-4o-mini" });

        Assert.Equal("gpt-4o-mini", ModelRouter.ApplyAlias(provider, "claude-haiku-4-5"));
        Assert.Equal("gpt-4o-mini", ModelRouter.ApplyAlias(provider, "claude_haiku"));
        Assert.Equal("claude-3-5-haiku", ModelRouter.ApplyAlias(provider, "claude-3-5-haiku"));
    }

    [Theory]
    [InlineData("opnai:gpt-4o")]
    [InlineData("opnai:o3")]
    public void TryResolve_TypoInProviderPrefix_IsUnknownProvider(string requested)
    {
        Assert.False(Router().TryResolve(requested, out _, out var error));
        Assert.Contains("Unknown provider 'opnai'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryResolve_UnknownPrefix_FailsListingProviders()
    {
        Assert.False(Router().TryResolve("nope:gpt-4o", out _, out var error));
        Assert.Contains("Unknown provider 'nope'", error, StringComparison.Ordinal);
        Assert.Contains("anthropic, openai", error, StringComparison.Ordinal);
    }
}
