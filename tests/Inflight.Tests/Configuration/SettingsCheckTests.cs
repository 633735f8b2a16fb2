using Inflight.Demo;
using Inflight.Hosting;
using Inflight.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Configuration;

public sealed class SettingsCheckTests
{
    [Fact]
    public async Task Collect_SeveralBadSettings_ReportsEveryOneByName()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "sk",
            ["OPENAI_API_FORMAT"] = "grpc",
            ["VDM_ACTIVE_REQUESTS_SSE_INTERVAL"] = "0",
            ["VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT"] = "1",
            ["LOG_REQUEST_METRICS"] = "sometimes",
            ["DEMO_ERROR_RATE"] = "2",
        });
        builder.AddInflightConfiguration([]);
        builder.AddInflightMetrics();
        builder.AddInflightDemo();
        await using var app = builder.Build();

        var failures = SettingsCheck.Collect(app.Services);

        Assert.Contains(failures, f => f.StartsWith("OPENAI_API_FORMAT must be 'openai' or 'anthropic'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("VDM_ACTIVE_REQUESTS_SSE_INTERVAL must be a number of seconds greater than 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("LOG_REQUEST_METRICS must be true or false", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DEMO_ERROR_RATE must be a number between 0 and 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Collect_HeartbeatShorterThanInterval_IsRejected()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["INFLIGHT_DEMO"] = "true",
            ["VDM_ACTIVE_REQUESTS_SSE_INTERVAL"] = "5",
            ["VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT"] = "1",
        });
        builder.AddInflightConfiguration([]);
        builder.AddInflightMetrics();
        builder.AddInflightDemo();
        await using var app = builder.Build();

        var failure = Assert.Single(SettingsCheck.Collect(app.Services));

        Assert.StartsWith("VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT (1s) must be at least VDM_ACTIVE_REQUESTS_SSE_INTERVAL (5s)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Collect_BadProxyApiKeys_ReportsEachEntryWithoutTheKey()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["INFLIGHT_DEMO"] = "true",
            ["PROXY_API_KEYS"] = "alice:k1,nokeyhere,alice:k2,bob:k1,default:k3",
            ["VDM_STALL_SECONDS"] = "-1",
        });
        builder.AddInflightConfiguration([]);
        builder.AddInflightMetrics();
        builder.AddInflightDemo();
        await using var app = builder.Build();

        var failures = SettingsCheck.Collect(app.Services);

        Assert.Contains(failures, f => f.StartsWith("PROXY_API_KEYS entry 2 must be 'label:key'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PROXY_API_KEYS names the label 'alice' twice", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("PROXY_API_KEYS entry 4 ('bob') repeats a key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("'default' is reserved", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("VDM_STALL_SECONDS must be 0 (off) or a positive", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("k1", StringComparison.Ordinal) || f.Contains("k2", StringComparison.Ordinal));
    }
}
