using Inflight.Configuration;
using Inflight.Demo;
using Inflight.Hosting;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Hosting;

public sealed class StartupBlockTests
{
    private static GatewayOptions Read(Dictionary<string, string?> settings)
    {
        var options = new GatewayOptions();
        new GatewaySettingsReader(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Configure(options);
        return options;
    }

    [Theory]
    [InlineData("", "no key")]
    [InlineData("short-key", "key ****")]
    [InlineData("sk-proj-abcdefghijklmnop1234", "key ****1234")]
    public void MaskKey_AnyKey_ShowsAtMostTheLastFour(string key, string expected)
        => Assert.Equal(expected, StartupBlock.MaskKey(key));

    [Fact]
    public void Describe_WildcardBindWithWaiver_GivesBrowsableDashboardAndWarns()
    {
        var gateway = Read(new() { ["OPENAI_API_KEY"] = "sk-secret-0000000000WXYZ", ["HOST"] = "0.0.0.0", ["INFLIGHT_ALLOW_UNAUTHENTICATED"] = "true" });
        var sources = new SettingsSources { DotEnvDirectory = "/srv/inflight" };

        var block = StartupBlock.Describe(["http://0.0.0.0:8082"], gateway, new DemoOptions(), sources);

        Assert.Contains("  Dashboard   http://localhost:8082/dashboard/\n", block, StringComparison.Ordinal);
        Assert.Contains("Auth        OFF. WARNING: listening beyond loopback without PROXY_API_KEY (INFLIGHT_ALLOW_UNAUTHENTICATED=true)", block, StringComparison.Ordinal);
        Assert.Contains("no .env in /srv/inflight", block, StringComparison.Ordinal);
        Assert.Contains("key ****WXYZ", block, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret", block, StringComparison.Ordinal);
        Assert.DoesNotContain("Demo ", block, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_DemoMode_SaysWhatIsSimulated()
    {
        var gateway = Read(new() { ["INFLIGHT_DEMO"] = "true" });

        var block = StartupBlock.Describe(["http://127.0.0.1:8082"], gateway, new DemoOptions { Traffic = false }, new SettingsSources());

        Assert.Contains("  Providers   demo  both       simulated in-process  no key\n", block, StringComparison.Ordinal);
        Assert.Contains("Demo        the demo provider is simulated in-process (no network, no keys): first token after 200-900 ms, 30-120 tokens/s, 3% errors, 3% rate limits, 2% broken streams; no synthetic traffic", block, StringComparison.Ordinal);
        Assert.Contains("Auth        off (loopback only", block, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", null, true)]
    [InlineData("http://+:8080", null, true)]
    [InlineData("http://127.0.0.1:8080;http://[::1]:8080", null, false)]
    [InlineData("http://localhost:8080", null, false)]
    [InlineData("http://0.0.0.0:8080", "key", false)]
    public void ExposedByUrls_ListenUrlOverridingHost_HeldToTheSameRule(string urls, string? proxyKey, bool refused)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls }).Build();
        var gateway = Read(new() { ["OPENAI_API_KEY"] = "sk", ["PROXY_API_KEY"] = proxyKey });

        var refusal = Inflight.Hosting.ConfigurationExtensions.ExposedByUrls(configuration, gateway);

        Assert.Equal(refused, refusal is not null);
        if (refused)
        {
            Assert.StartsWith($"The listen URL http", refusal, StringComparison.Ordinal);
            Assert.Contains("(ASPNETCORE_URLS or --urls) listens beyond this machine, but PROXY_API_KEY is not set", refusal, StringComparison.Ordinal);
        }
    }
}
