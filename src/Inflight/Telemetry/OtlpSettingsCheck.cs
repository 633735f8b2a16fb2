using Microsoft.Extensions.Options;

namespace Inflight.Telemetry;

/// <summary>The OTLP variables, checked at start-up: a malformed endpoint or protocol stops Inflight with one line each.</summary>
internal sealed class OtlpSettingsOptions
{
    internal List<string> LoadErrors { get; } = [];
}

/// <summary>Reads the OTLP variables into <see cref="OtlpSettingsOptions"/> only to report what is wrong with them.</summary>
internal sealed class OtlpSettingsCheck(IConfiguration configuration) : IConfigureOptions<OtlpSettingsOptions>, IValidateOptions<OtlpSettingsOptions>
{
    public void Configure(OtlpSettingsOptions options)
    {
        OtlpSignalSettings.CheckGeneric(configuration, options.LoadErrors);
        OtlpSignalSettings.Read(configuration, OtlpSignalSettings.Traces, options.LoadErrors);
        OtlpSignalSettings.Read(configuration, OtlpSignalSettings.Metrics, options.LoadErrors);
    }

    public ValidateOptionsResult Validate(string? name, OtlpSettingsOptions options)
        => options.LoadErrors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.LoadErrors);
}
