using System.Text.Json.Serialization;

namespace Inflight.Tracking;

/// <summary>
/// Counters of one slice of traffic. Records with get-only computed averages, so any serializer
/// shows the same figures.
/// </summary>
public record UsageTotals
{
    public long TotalRequests { get; init; }
    public long TotalErrors { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheCreationTokens { get; init; }
    public long ToolUses { get; init; }
    public long ToolResults { get; init; }
    public long ToolCalls { get; init; }
    public double TotalDurationMs { get; init; }

    /// <summary>
    /// How many streamed requests reached their first upstream byte (the TTFT average's denominator). Non-streamed
    /// requests are left out of every TTFT figure: their first byte is their whole answer.
    /// </summary>
    public long TtftCount { get; init; }
    public double TotalTtftMs { get; init; }

    public double AverageDurationMs => TotalRequests == 0 ? 0 : TotalDurationMs / TotalRequests;

    public double? AverageTtftMs => TtftCount == 0 ? null : TotalTtftMs / TtftCount;

    /// <summary>Median duration (from a fixed-bucket histogram: within about 5%); null without requests.</summary>
    public double? P50DurationMs { get; init; }

    /// <summary>95th-percentile duration (histogram estimate); null without requests.</summary>
    public double? P95DurationMs { get; init; }

    /// <summary>Median TTFT of streamed requests (histogram estimate); null without any.</summary>
    public double? P50TtftMs { get; init; }

    /// <summary>95th-percentile TTFT of streamed requests (histogram estimate); null without any.</summary>
    public double? P95TtftMs { get; init; }

    /// <summary>The counters of <paramref name="a"/> and <paramref name="b"/> added up (percentiles cannot be, and are left out).</summary>
    public static UsageTotals Plus(UsageTotals a, UsageTotals b) => new()
    {
        TotalRequests = a.TotalRequests + b.TotalRequests,
        TotalErrors = a.TotalErrors + b.TotalErrors,
        InputTokens = a.InputTokens + b.InputTokens,
        OutputTokens = a.OutputTokens + b.OutputTokens,
        CacheReadTokens = a.CacheReadTokens + b.CacheReadTokens,
        CacheCreationTokens = a.CacheCreationTokens + b.CacheCreationTokens,
        ToolUses = a.ToolUses + b.ToolUses,
        ToolResults = a.ToolResults + b.ToolResults,
        ToolCalls = a.ToolCalls + b.ToolCalls,
        TotalDurationMs = a.TotalDurationMs + b.TotalDurationMs,
        TtftCount = a.TtftCount + b.TtftCount,
        TotalTtftMs = a.TotalTtftMs + b.TotalTtftMs,
    };
}

/// <summary>Totals of a slice (overall, a provider or a model) plus its streaming / non-streaming split.</summary>
public sealed record TotalsNode : UsageTotals
{
    // Serializers list base-record properties last by default; the split reads better after the totals.
    [JsonPropertyOrder(1)]
    public required UsageTotals Streaming { get; init; }

    [JsonPropertyOrder(1)]
    public required UsageTotals NonStreaming { get; init; }

    /// <summary>A node whose counters are <paramref name="all"/>'s, split into <paramref name="streaming"/> and <paramref name="nonStreaming"/>.</summary>
    public static TotalsNode From(UsageTotals all, UsageTotals streaming, UsageTotals nonStreaming) => new()
    {
        Streaming = streaming,
        NonStreaming = nonStreaming,
        TotalRequests = all.TotalRequests,
        TotalErrors = all.TotalErrors,
        InputTokens = all.InputTokens,
        OutputTokens = all.OutputTokens,
        CacheReadTokens = all.CacheReadTokens,
        CacheCreationTokens = all.CacheCreationTokens,
        ToolUses = all.ToolUses,
        ToolResults = all.ToolResults,
        ToolCalls = all.ToolCalls,
        TotalDurationMs = all.TotalDurationMs,
        TtftCount = all.TtftCount,
        TotalTtftMs = all.TotalTtftMs,
    };
}

/// <summary>What <see cref="RequestTracker.GetRunningTotals"/> returns: immutable, safe to share.</summary>
public sealed record RunningTotalsSnapshot
{
    /// <summary>All requests that pass the filters.</summary>
    public required TotalsNode Summary { get; init; }

    /// <summary>Keyed by provider name, ordinal order.</summary>
    public required IReadOnlyDictionary<string, TotalsNode> Providers { get; init; }

    /// <summary>Keyed by <c>provider:model</c>, ordinal order.</summary>
    public required IReadOnlyDictionary<string, TotalsNode> Models { get; init; }

    /// <summary>Whether active requests' current figures are included.</summary>
    public bool IncludeActive { get; init; }

    /// <summary>Active requests that pass the filters (counted in the totals only when <see cref="IncludeActive"/>).</summary>
    public int ActiveRequestCount { get; init; }

    /// <summary>Epoch seconds when the snapshot was taken.</summary>
    public double Timestamp { get; init; }

    /// <summary>
    /// Epoch seconds the totals count from: the first stored request (or the process start when earlier, or with
    /// no history store), or the <c>since=</c> asked for.
    /// </summary>
    public double Since { get; init; }

    /// <summary>The end (exclusive, epoch seconds) of the <c>until=</c> range asked for; null: up to now.</summary>
    public double? Until { get; init; }

    /// <summary>Requests that went <c>stalled</c> since start (all traffic, not filtered).</summary>
    public long StalledRequests { get; init; }

    /// <summary>Of <see cref="StalledRequests"/>, how many got upstream bytes again.</summary>
    public long StalledRecovered { get; init; }

    /// <summary>Finished requests per client name (all traffic, not filtered).</summary>
    public IReadOnlyDictionary<string, BreakdownTotals> ByClient { get; init; } = new Dictionary<string, BreakdownTotals>();

    /// <summary>Finished requests per proxy key label; <c>none</c> when no key was used (all traffic, not filtered).</summary>
    public IReadOnlyDictionary<string, BreakdownTotals> ByKey { get; init; } = new Dictionary<string, BreakdownTotals>();

    /// <summary>Calls refused for a missing or wrong key.</summary>
    public AuthFailureTotals AuthFailures { get; init; } = new(0, new Dictionary<string, long>());
}
