namespace Inflight.Tracking;

/// <summary>A request's countable figures at one instant (final ones at finalization, current ones while active).</summary>
internal readonly record struct RequestFigures(
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheCreationTokens,
    bool TokensEstimated,
    int ToolUses,
    int ToolResults,
    int ToolCalls,
    TimeSpan Duration,
    TimeSpan? Ttft);
