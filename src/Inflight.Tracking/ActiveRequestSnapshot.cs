namespace Inflight.Tracking;

/// <summary>
/// One in-flight request as the metrics API shows it. Property names map to the snake_case JSON
/// names of the spec (<c>request_id</c>, <c>start_time</c>, ...).
/// </summary>
public sealed record ActiveRequestSnapshot
{
    public required string RequestId { get; init; }
    public required string Provider { get; init; }

    /// <summary>The model without provider prefix (the resolved model).</summary>
    public required string Model { get; init; }
    public required string RequestedModel { get; init; }
    public required string ResolvedModel { get; init; }

    /// <summary><c>provider:model</c>.</summary>
    public required string QualifiedModel { get; init; }
    public bool IsStreaming { get; init; }

    /// <summary>Epoch seconds.</summary>
    public double StartTime { get; init; }
    public double DurationMs { get; init; }

    /// <summary>"waiting" before the first upstream byte, "streaming" after.</summary>
    public required string Phase { get; init; }
    public double? TtftMs { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheCreationTokens { get; init; }

    /// <summary>True while any count shown is an estimate rather than the provider's usage.</summary>
    public bool TokensEstimated { get; init; }
    public int ToolUses { get; init; }
    public int ToolResults { get; init; }
    public int ToolCalls { get; init; }
    public long RequestSize { get; init; }
    public int MessageCount { get; init; }
    public required string ClientFormat { get; init; }
    public required string UpstreamFormat { get; init; }

    /// <summary>What translation dropped or mapped (e.g. <c>"dropped: context_management"</c>); empty when nothing changed.</summary>
    public IReadOnlyList<string> TranslationNotes { get; init; } = [];
}
