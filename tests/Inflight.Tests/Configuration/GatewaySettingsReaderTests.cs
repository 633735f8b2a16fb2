using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Tests.Configuration;

public sealed class GatewaySettingsReaderTests
{
    private static GatewayOptions Read(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new GatewayOptions();
        new GatewaySettingsReader(configuration).Configure(options);
        return options;
    }

    [Fact]
    public void Configure_ProvidersFromApiKeys_UsesKnownDefaultsAndFormats()
    {
        var options = Read(new()
        {
            ["OPENAI_API_KEY"] = "sk-1",
            ["ANTHROPIC_API_KEY"] = "sk-2",
            ["LOCAL_API_KEY"] = "x",
            ["LOCAL_BASE_URL"] = "http://127.0.0.1:9999/v1",
            ["LOCAL_API_FORMAT"] = "anthropic",
            ["PROXY_API_KEY"] = "not-a-provider",
        });

        Assert.Empty(options.LoadErrors);
        Assert.Equal(["anthropic", "local", "openai"], options.Providers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ApiFormat.Anthropic, options.Providers["anthropic"].Format);
        Assert.Equal(ApiFormat.OpenAI, options.Providers["openai"].Format);
        Assert.Equal(ApiFormat.Anthropic, options.Providers["local"].Format);
        Assert.Equal("https://api.openai.com/v1", options.Providers["openai"].BaseUrl.AbsoluteUri);
        Assert.Equal("openai", options.DefaultProvider);
        Assert.Equal("not-a-provider", options.ProxyApiKey);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(8082, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(90), options.RequestTimeout);
        Assert.Equal(32L * 1024 * 1024, options.MaxRequestBytes);
    }

    [Theory]
    [InlineData("PORT", "eighty", "PORT must be a whole number")]
    [InlineData("REQUEST_TIMEOUT", "-1", "REQUEST_TIMEOUT must be a number of seconds")]
    [InlineData("MAX_REQUEST_BYTES", "lots", "MAX_REQUEST_BYTES must be a positive whole number")]
    [InlineData("OPENAI_API_FORMAT", "grpc", "OPENAI_API_FORMAT must be 'openai', 'anthropic' or 'responses'; got 'grpc'")]
    [InlineData("OPENAI_BASE_URL", "ftp://x", "OPENAI_BASE_URL must be an absolute http(s) URL")]
    [InlineData("VDM_DEFAULT_PROVIDER", "azure", "VDM_DEFAULT_PROVIDER names 'azure', which is not configured")]
    [InlineData("INFLIGHT_DEMO", "maybe", "INFLIGHT_DEMO must be true or false")]
    [InlineData("AUTH_FAILURE_LIMIT", "-1", "AUTH_FAILURE_LIMIT must be a whole number, 0 or more; got '-1'")]
    [InlineData("AUTH_FAILURE_LIMIT", "ten", "AUTH_FAILURE_LIMIT must be a whole number, 0 or more; got 'ten'")]
    [InlineData("AUTH_FAILURE_WINDOW", "0", "AUTH_FAILURE_WINDOW must be a number of seconds greater than 0")]
    [InlineData("STREAM_PING_INTERVAL", "5000000", "STREAM_PING_INTERVAL must be at most 4294967 seconds")]
    [InlineData("REQUEST_TIMEOUT", "1e20", "REQUEST_TIMEOUT must be at most 4294967 seconds")]
    [InlineData("OPENAI_MAX_OUTPUT_TOKENS", "lots", "OPENAI_MAX_OUTPUT_TOKENS must be a positive whole number; got 'lots'")]
    [InlineData("OPENAI_MAX_OUTPUT_TOKENS", "0", "OPENAI_MAX_OUTPUT_TOKENS must be a positive whole number; got '0'")]
    [InlineData("OPENAI_MAX_OUTPUT_TOKENS", "99999999999", "OPENAI_MAX_OUTPUT_TOKENS must be at most 10000000")]
    public void Configure_InvalidSetting_ReportsItByName(string key, string value, string expected)
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", [key] = value });

        Assert.Contains(options.LoadErrors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Configure_MaxOutputTokens_IsPerProvider()
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", ["ANTHROPIC_API_KEY"] = "sk", ["OPENAI_MAX_OUTPUT_TOKENS"] = "16384" });

        Assert.Empty(options.LoadErrors);
        Assert.Equal(16384, options.Providers["openai"].MaxOutputTokens);
        Assert.Null(options.Providers["anthropic"].MaxOutputTokens);
    }

    [Fact]
    public void Configure_NoProviders_SaysHowToConfigureOne()
    {
        var options = Read([]);

        Assert.Contains(options.LoadErrors, e => e.Contains("OPENAI_API_KEY", StringComparison.Ordinal) && e.Contains("--demo", StringComparison.Ordinal));
    }

    [Fact]
    public void Configure_StrayKeyWithoutBaseUrl_IsANoticeNotAnError()
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", ["GEMINI_API_KEY"] = "k", ["HF_API_KEY"] = "k" });

        Assert.Empty(options.LoadErrors);
        Assert.Equal(["openai"], options.Providers.Keys);
        Assert.Contains(options.Notices, n => n.StartsWith("GEMINI_API_KEY is set, but 'gemini' has no built-in base URL and GEMINI_BASE_URL is not set", StringComparison.Ordinal));
        Assert.Contains(options.Notices, n => n.StartsWith("HF_API_KEY is set", StringComparison.Ordinal));
    }

    [Fact]
    public void Configure_OnlyStrayKeys_NoProviderErrorNamesThem()
    {
        var options = Read(new() { ["GEMINI_API_KEY"] = "k" });

        var error = Assert.Single(options.LoadErrors);
        Assert.StartsWith("No provider is configured", error, StringComparison.Ordinal);
        Assert.Contains("GEMINI_API_KEY is set", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OLLAMA_BASE_URL", "http://127.0.0.1:11434/v1", "ollama")]
    [InlineData("LMSTUDIO_BASE_URL", "http://localhost:1234/v1", "lmstudio")]
    [InlineData("VLLM_BASE_URL", "http://192.168.1.20:8000/v1", "vllm")]
    [InlineData("OLLAMA_BASE_URL", "http://ollama:11434/v1", "ollama")]
    public void Configure_LocalServerByBaseUrlAlone_IsAKeylessProvider(string key, string url, string name)
    {
        var options = Read(new() { [key] = url });

        Assert.Empty(options.LoadErrors);
        var provider = options.Providers[name];
        Assert.Equal("", provider.ApiKey);
        Assert.Equal(url, provider.BaseUrl.OriginalString);
        Assert.Equal(name, options.DefaultProvider);
    }

    [Theory]
    [InlineData("ANTHROPIC_BASE_URL", "http://127.0.0.1:9000", "provider 'anthropic' needs a key")]
    [InlineData("REMOTE_BASE_URL", "https://llm.example.com/v1", "is not on this machine or the local network")]
    [InlineData("NEXT_PUBLIC_BASE_URL", "/api", "must be an absolute http(s) URL")]
    public void Configure_BaseUrlAloneThatDeclaresNothing_IsANotice(string key, string url, string notice)
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", [key] = url });

        Assert.Empty(options.LoadErrors);
        Assert.Equal(["openai"], options.Providers.Keys);
        Assert.Contains(options.Notices, n => n.StartsWith(key, StringComparison.Ordinal) && n.Contains(notice, StringComparison.Ordinal));
    }

    [Fact]
    public void Configure_BaseUrlPointingAtInflight_IsAnError()
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", ["OPENAI_BASE_URL"] = "http://localhost:8082/v1" });

        Assert.Contains(options.LoadErrors, e => e.StartsWith("OPENAI_BASE_URL points at Inflight itself", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("notahost")]
    [InlineData("999.1.1.1")]
    [InlineData("10.1")]
    [InlineData("example.com")]
    public void Configure_HostThatIsNotAnAddress_IsAnError(string host)
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", ["HOST"] = host, ["PROXY_API_KEY"] = "p" });

        var error = Assert.Single(options.LoadErrors);
        Assert.StartsWith($"HOST must be an IP address (127.0.0.1, 0.0.0.0, ::1, ::) or localhost; got '{host}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", null, null, true)]
    [InlineData("localhost", null, null, true)]
    [InlineData("::1", null, null, true)]
    [InlineData("0.0.0.0", null, null, false)]
    [InlineData("::", null, null, false)]
    [InlineData("192.168.1.5", null, null, false)]
    [InlineData("0.0.0.0", "key", null, true)]
    [InlineData("0.0.0.0", null, "true", true)]
    public void Configure_NonLoopbackHost_NeedsProxyKeyOrExplicitWaiver(string host, string? proxyKey, string? allow, bool accepted)
    {
        var options = Read(new() { ["OPENAI_API_KEY"] = "sk", ["HOST"] = host, ["PROXY_API_KEY"] = proxyKey, ["INFLIGHT_ALLOW_UNAUTHENTICATED"] = allow });

        if (accepted)
        {
            Assert.Empty(options.LoadErrors);
        }
        else
        {
            var error = Assert.Single(options.LoadErrors);
            Assert.StartsWith($"HOST={host} listens beyond this machine, but PROXY_API_KEY is not set", error, StringComparison.Ordinal);
            Assert.Contains("INFLIGHT_ALLOW_UNAUTHENTICATED=true", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configure_DemoMode_AddsDemoProviderAsDefault()
    {
        var options = Read(new() { ["INFLIGHT_DEMO"] = "true" });

        Assert.Empty(options.LoadErrors);
        Assert.True(options.Providers["demo"].IsDemo);
        Assert.Equal("demo", options.DefaultProvider);
    }

    [Fact]
    public void Validate_WithLoadErrors_FailsWithEveryMessage()
    {
        var options = Read(new() { ["PORT"] = "x", ["REQUEST_TIMEOUT"] = "y" });

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.IsType<ValidateOptionsResult>(result);
    }
}
