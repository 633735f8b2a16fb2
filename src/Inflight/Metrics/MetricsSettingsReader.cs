using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Metrics;

/// <summary>Reads <see cref="MetricsOptions"/> from the flat settings and checks they make sense together.</summary>
internal sealed class MetricsSettingsReader(IConfiguration configuration) : IConfigureOptions<MetricsOptions>, IValidateOptions<MetricsOptions>
{
    public const string LogRequestMetricsKey = "LOG_REQUEST_METRICS";
    public const string SseEnabledKey = "VDM_ACTIVE_REQUESTS_SSE_ENABLED";
    public const string SseIntervalKey = "VDM_ACTIVE_REQUESTS_SSE_INTERVAL";
    public const string SseHeartbeatKey = "VDM_ACTIVE_REQUESTS_SSE_HEARTBEAT";
    public const string StallSecondsKey = "VDM_STALL_SECONDS";
    public const string CaptureContentKey = "VDM_CAPTURE_CONTENT";

    public void Configure(MetricsOptions options)
    {
        var errors = options.LoadErrors;
        options.LogRequestMetrics = SettingParsers.ReadBool(configuration, LogRequestMetricsKey, true, errors);
        options.SseEnabled = SettingParsers.ReadBool(configuration, SseEnabledKey, true, errors);
        options.SseInterval = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, SseIntervalKey, 2.0, errors));
        options.SseHeartbeat = TimeSpan.FromSeconds(SettingParsers.ReadSeconds(configuration, SseHeartbeatKey, 30.0, errors));
        options.CaptureContent = SettingParsers.ReadBool(configuration, CaptureContentKey, false, errors);
        var stall = SettingParsers.ReadSeconds(configuration, StallSecondsKey, 30.0, errors, minExclusive: double.NegativeInfinity);
        if (stall < 0)
        {
            errors.Add($"{StallSecondsKey} must be 0 (off) or a positive number of seconds; got {stall}.");
        }
        else
        {
            options.StallThreshold = TimeSpan.FromSeconds(stall);
        }

        if (options.SseHeartbeat < options.SseInterval)
        {
            errors.Add($"{SseHeartbeatKey} ({options.SseHeartbeat.TotalSeconds}s) must be at least {SseIntervalKey} ({options.SseInterval.TotalSeconds}s).");
        }
    }

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);
}
