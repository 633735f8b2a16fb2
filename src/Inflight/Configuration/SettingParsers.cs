using System.Globalization;

namespace Inflight.Configuration;

/// <summary>
/// Strict readers for flat, environment-style settings. Each adds a message naming the setting,
/// the bad value and what is accepted, so start-up can report every problem at once.
/// </summary>
internal static class SettingParsers
{
    public static bool ReadBool(IConfiguration configuration, string key, bool defaultValue, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        switch (raw.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes" or "on":
                return true;
            case "false" or "0" or "no" or "off":
                return false;
            default:
                errors.Add($"{key} must be true or false (also accepted: 1/0, yes/no, on/off); got '{raw}'.");
                return defaultValue;
        }
    }

    /// <summary>
    /// The longest duration a seconds setting takes: what a .NET timer or <c>CancelAfter</c> can wait (2^32 − 2 ms, about
    /// 49.7 days). A longer one would pass start-up and then throw when a request or stream first arms its timer.
    /// </summary>
    public const double MaxSeconds = 4_294_967;

    public static double ReadSeconds(IConfiguration configuration, string key, double defaultValue, List<string> errors, double minExclusive = 0)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) || double.IsInfinity(value) || value <= minExclusive)
        {
            errors.Add($"{key} must be a number of seconds greater than {minExclusive.ToString(CultureInfo.InvariantCulture)}; got '{raw}'.");
            return defaultValue;
        }

        if (value > MaxSeconds)
        {
            errors.Add($"{key} must be at most {MaxSeconds.ToString(CultureInfo.InvariantCulture)} seconds (about 49 days, the longest a timer waits); got '{raw}'.");
            return defaultValue;
        }

        return value;
    }

    public static long ReadPositiveLong(IConfiguration configuration, string key, long defaultValue, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            errors.Add($"{key} must be a positive whole number; got '{raw}'.");
            return defaultValue;
        }

        return value;
    }

    /// <summary>A whole number from 0 up (0 usually turns the feature off).</summary>
    public static int ReadCount(IConfiguration configuration, string key, int defaultValue, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            errors.Add($"{key} must be a whole number, 0 or more; got '{raw}'.");
            return defaultValue;
        }

        return value;
    }

    public static double ReadFraction(IConfiguration configuration, string key, double defaultValue, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 1)
        {
            errors.Add($"{key} must be a number between 0 and 1; got '{raw}'.");
            return defaultValue;
        }

        return value;
    }
}
