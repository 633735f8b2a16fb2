namespace Inflight.Hosting;

internal static class InflightHost
{
    /// <summary>
    /// The host's own options. Settings are read once at start-up, so the default host's reload-on-change is off: left on,
    /// its <c>appsettings.json</c> source watches the content root (the working directory) with inotify before
    /// <see cref="ConfigurationExtensions.AddInflightConfiguration"/> replaces it, and every write to a history file there
    /// (the default <c>inflight.db</c> and its WAL) wakes a file-watcher thread for nothing: about 2 % of the gateway's CPU
    /// under load (docs/performance.md).
    /// </summary>
    public static WebApplicationOptions BuilderOptions(string[] args)
        => new() { Args = ["--hostBuilder:reloadConfigOnChange=false", .. args] }; // first: a switch without a value (--demo) takes the next argument as its value
}
