using System.Globalization;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Demo;

/// <summary>Reads <see cref="DemoOptions"/> from the flat <c>DEMO_*</c> settings and checks they make sense together.</summary>
internal sealed class DemoSettingsReader(IConfiguration configuration) : IConfigureOptions<DemoOptions>, IValidateOptions<DemoOptions>
{
    public const string ErrorRateKey = "DEMO_ERROR_RATE";
    public const string RateLimitRateKey = "DEMO_RATE_LIMIT_RATE";
    public const string ToolRateKey = "DEMO_TOOL_RATE";
    public const string StreamBreakRateKey = "DEMO_STREAM_BREAK_RATE";
    public const string MinTtftKey = "DEMO_MIN_TTFT_MS";
    public const string MaxTtftKey = "DEMO_MAX_TTFT_MS";
    public const string MinTokensPerSecondKey = "DEMO_MIN_TOKENS_PER_SECOND";
    public const string MaxTokensPerSecondKey = "DEMO_MAX_TOKENS_PER_SECOND";
    public const string TrafficKey = "DEMO_TRAFFIC";
    public const string TrafficRpsKey = "DEMO_TRAFFIC_RPS";
    public const string TrafficMaxConcurrencyKey = "DEMO_TRAFFIC_MAX_CONCURRENCY";

    public void Configure(DemoOptions options)
    {
        var errors = options.LoadErrors;
        options.ErrorRate = SettingParsers.ReadFraction(configuration, ErrorRateKey, options.ErrorRate, errors);
        options.RateLimitRate = SettingParsers.ReadFraction(configuration, RateLimitRateKey, options.RateLimitRate, errors);
        options.ToolRate = SettingParsers.ReadFraction(configuration, ToolRateKey, options.ToolRate, errors);
        options.StreamBreakRate = SettingParsers.ReadFraction(configuration, StreamBreakRateKey, options.StreamBreakRate, errors);
        options.MinTimeToFirstToken = TimeSpan.FromMilliseconds(ReadNumber(MinTtftKey, options.MinTimeToFirstToken.TotalMilliseconds, 0, 60_000, "a number of milliseconds", errors));
        options.MaxTimeToFirstToken = TimeSpan.FromMilliseconds(ReadNumber(MaxTtftKey, options.MaxTimeToFirstToken.TotalMilliseconds, 0, 60_000, "a number of milliseconds", errors));
        options.MinTokensPerSecond = ReadNumber(MinTokensPerSecondKey, options.MinTokensPerSecond, 1, 10_000, "a number of tokens per second", errors);
        options.MaxTokensPerSecond = ReadNumber(MaxTokensPerSecondKey, options.MaxTokensPerSecond, 1, 10_000, "a number of tokens per second", errors);
        options.Traffic = SettingParsers.ReadBool(configuration, TrafficKey, options.Traffic, errors);
        options.TrafficRequestsPerSecond = ReadNumber(TrafficRpsKey, options.TrafficRequestsPerSecond, 0.01, 1_000, "a number of requests per second", errors);
        options.TrafficMaxConcurrency = (int)ReadNumber(TrafficMaxConcurrencyKey, options.TrafficMaxConcurrency, 1, 1_000, "a whole number", errors, wholeNumber: true);

        // Cross-setting checks only when each side parsed, so one typo gives one message.
        if (options.ErrorRate + options.RateLimitRate > 1)
        {
            errors.Add($"{ErrorRateKey} + {RateLimitRateKey} must not exceed 1; got {Format(options.ErrorRate)} + {Format(options.RateLimitRate)}.");
        }

        if (options.MinTimeToFirstToken > options.MaxTimeToFirstToken)
        {
            errors.Add($"{MinTtftKey} ({Format(options.MinTimeToFirstToken.TotalMilliseconds)}) must not exceed {MaxTtftKey} ({Format(options.MaxTimeToFirstToken.TotalMilliseconds)}).");
        }

        if (options.MinTokensPerSecond > options.MaxTokensPerSecond)
        {
            errors.Add($"{MinTokensPerSecondKey} ({Format(options.MinTokensPerSecond)}) must not exceed {MaxTokensPerSecondKey} ({Format(options.MaxTokensPerSecond)}).");
        }
    }

    public ValidateOptionsResult Validate(string? name, DemoOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);

    private double ReadNumber(string key, double defaultValue, double min, double max, string what, List<string> errors, bool wholeNumber = false)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value < min || value > max || (wholeNumber && value != Math.Floor(value)))
        {
            errors.Add($"{key} must be {what} from {Format(min)} to {Format(max)}; got '{raw}'.");
            return defaultValue;
        }

        return value;
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
