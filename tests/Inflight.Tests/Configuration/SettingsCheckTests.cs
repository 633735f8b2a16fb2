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

        Assert.Contains(failures, f => f.StartsWith("OPENAI_API_FORMAT must be 'openai', 'anthropic' or 'responses'", StringComparison.Ordinal));
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
}
