namespace Inflight.Hosting;

/// <summary>Which files the settings came from, for the start-up block, and problems reading them.</summary>
internal sealed class SettingsSources
{
    public const string ConfigFileKey = "INFLIGHT_CONFIG";
    public const string ConfigFileName = "inflight.json";

    /// <summary>The <c>.env</c> file read (full path), or null when the working directory has none.</summary>
    public string? DotEnvPath { get; set; }

    /// <summary>Where a <c>.env</c> file was looked for: the working directory.</summary>
    public string DotEnvDirectory { get; set; } = "";

    /// <summary>JSON settings files read, lowest priority first (full paths).</summary>
    public List<string> JsonFiles { get; } = [];

    /// <summary>Unreadable files, one line each, reported with the other settings errors.</summary>
    public List<string> Errors { get; } = [];
}
