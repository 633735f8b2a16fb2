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
    public void Configure_UnknownProviderWithoutBaseUrl_AsksForIt()
    {
        var options = Read(new() { ["ACME_API_KEY"] = "k" });

        Assert.Contains(options.LoadErrors, e => e.StartsWith("ACME_BASE_URL is required", StringComparison.Ordinal));
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
