using Inflight.Demo;
using Microsoft.Extensions.Configuration;

namespace Inflight.Tests.Demo;

public sealed class DemoSettingsReaderTests
{
    [Fact]
    public void Configure_NoSettings_UsesDefaults()
    {
        var options = Read([]);

        Assert.Empty(options.LoadErrors);
        Assert.Equal(0.03, options.ErrorRate);
        Assert.Equal(0.03, options.RateLimitRate);
        Assert.Equal(0.25, options.ToolRate);
        Assert.True(options.Traffic);
        Assert.Equal(1.5, options.TrafficRequestsPerSecond);
        Assert.Equal(8, options.TrafficMaxConcurrency);
    }

    [Fact]
    public void Configure_ValidSettings_AreApplied()
    {
        var options = Read(new()
        {
            ["DEMO_ERROR_RATE"] = "0.1",
            ["DEMO_TRAFFIC"] = "false",
            ["DEMO_TRAFFIC_RPS"] = "4",
            ["DEMO_TRAFFIC_MAX_CONCURRENCY"] = "2",
            ["DEMO_MIN_TTFT_MS"] = "0",
            ["DEMO_MAX_TTFT_MS"] = "50",
        });

        Assert.Empty(options.LoadErrors);
        Assert.Equal(0.1, options.ErrorRate);
        Assert.False(options.Traffic);
        Assert.Equal(4, options.TrafficRequestsPerSecond);
        Assert.Equal(2, options.TrafficMaxConcurrency);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.MaxTimeToFirstToken);
    }

    [Fact]
    public void Validate_BadSettings_ReportsEachByName()
    {
        var configuration = Configuration(new()
        {
            ["DEMO_ERROR_RATE"] = "1.5",
            ["DEMO_TOOL_RATE"] = "often",
            ["DEMO_TRAFFIC"] = "maybe",
            ["DEMO_TRAFFIC_RPS"] = "0",
            ["DEMO_TRAFFIC_MAX_CONCURRENCY"] = "2.5",
            ["DEMO_MIN_TTFT_MS"] = "900",
            ["DEMO_MAX_TTFT_MS"] = "100",
        });
        var reader = new DemoSettingsReader(configuration);
        var options = new DemoOptions();
        reader.Configure(options);

        var result = reader.Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("DEMO_ERROR_RATE must be a number between 0 and 1; got '1.5'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DEMO_TOOL_RATE ", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DEMO_TRAFFIC must be true or false", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DEMO_TRAFFIC_RPS must be a number of requests per second", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DEMO_TRAFFIC_MAX_CONCURRENCY must be a whole number", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("DEMO_MIN_TTFT_MS (900) must not exceed DEMO_MAX_TTFT_MS (100)", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_FaultRatesAddUpPastOne_ReportsBothNames()
    {
        var options = Read(new() { ["DEMO_ERROR_RATE"] = "0.7", ["DEMO_RATE_LIMIT_RATE"] = "0.5" });

        var failure = Assert.Single(options.LoadErrors);
        Assert.Contains("DEMO_ERROR_RATE + DEMO_RATE_LIMIT_RATE must not exceed 1", failure, StringComparison.Ordinal);
    }

    private static DemoOptions Read(Dictionary<string, string?> values)
    {
        var options = new DemoOptions();
        new DemoSettingsReader(Configuration(values)).Configure(options);
        return options;
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string?> values)
        => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
