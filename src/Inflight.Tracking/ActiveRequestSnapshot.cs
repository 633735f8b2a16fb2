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

    /// <summary>"waiting" before the first upstream byte, "streaming" after, "stalled" while the upstream is silent for <c>VDM_STALL_SECONDS</c>.</summary>
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

    /// <summary>The calling client parsed from its user-agent and SDK headers; <c>unknown</c> when none matched.</summary>
    public string ClientName { get; init; } = ClientNames.Unknown;
    public string? ClientVersion { get; init; }
    public string? SessionId { get; init; }
    public string? UserId { get; init; }

    /// <summary>The label of the proxy key used (<c>PROXY_API_KEYS</c>); null without labelled keys.</summary>
    public string? KeyLabel { get; init; }

    /// <summary>Milliseconds since the last upstream byte (since the start before the first one).</summary>
    public double IdleMs { get; init; }

    /// <summary>Output tokens per second since the first upstream byte.</summary>
    public double TokensPerSecond { get; init; }

    /// <summary>The replica that owns the request, in cluster mode (<c>REDIS_URL</c>); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Replica { get; init; }
}
