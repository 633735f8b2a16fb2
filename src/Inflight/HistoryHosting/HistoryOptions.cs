using Inflight.History;

namespace Inflight.HistoryHosting;

/// <summary>Where finished requests are kept across restarts, and for how long.</summary>
internal sealed class HistoryOptions
{
    /// <summary><c>INFLIGHT_DATABASE_URL</c>; default <c>sqlite:inflight.db</c> in the working directory.</summary>
    public StoreLocation Location { get; set; } = StoreLocation.None;

    /// <summary><c>INFLIGHT_HISTORY_DAYS</c> (default 30).</summary>
    public int RetentionDays { get; set; } = 30;

    internal List<string> LoadErrors { get; } = [];
}
