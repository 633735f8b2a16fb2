using Inflight.Configuration;
using Inflight.History;
using Microsoft.Extensions.Options;

namespace Inflight.HistoryHosting;

/// <summary>Reads <see cref="HistoryOptions"/> from the flat settings; bad values stop start-up.</summary>
internal sealed class HistorySettingsReader(IConfiguration configuration) : IConfigureOptions<HistoryOptions>, IValidateOptions<HistoryOptions>
{
    public const string DatabaseUrlKey = "INFLIGHT_DATABASE_URL";
    public const string HistoryDaysKey = "INFLIGHT_HISTORY_DAYS";

    public void Configure(HistoryOptions options)
    {
        var errors = options.LoadErrors;
        if (StoreLocation.TryParse(configuration[DatabaseUrlKey], out var location, out var error))
        {
            options.Location = location;
        }
        else
        {
            errors.Add($"{DatabaseUrlKey}: {error}; got '{Redact(configuration[DatabaseUrlKey])}'.");
        }

        var days = SettingParsers.ReadPositiveLong(configuration, HistoryDaysKey, 30, errors);
        options.RetentionDays = (int)Math.Min(days, 36_500);
    }

    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);

    /// <summary>Never echo a password back in an error message.</summary>
    private static string Redact(string? url)
        => url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
            ? url.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal)
            : url ?? "";
}
