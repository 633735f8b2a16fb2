namespace Inflight.Tracking;

/// <summary>One finished request in the recent-requests or recent-errors log (snake_case JSON in the host).</summary>
public sealed record RequestLogEntry
{
    public required string RequestId { get; init; }
    public required string Provider { get; init; }

    /// <summary>The model without provider prefix (the resolved model).</summary>
    public required string Model { get; init; }
    public required string RequestedModel { get; init; }

    /// <summary><c>provider:model</c>.</summary>
    public required string QualifiedModel { get; init; }
    public bool IsStreaming { get; init; }

    /// <summary>"success" or "error".</summary>
    public required string Status { get; init; }
    public int? StatusCode { get; init; }

    /// <summary>One of <see cref="ErrorTypes"/>; null on success.</summary>
    public string? ErrorType { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>Epoch seconds.</summary>
    public double StartTime { get; init; }

    /// <summary>Epoch seconds.</summary>
    public double EndTime { get; init; }
    public double DurationMs { get; init; }
    public double? TtftMs { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    public long CacheReadTokens { get; init; }
    public long CacheCreationTokens { get; init; }

    /// <summary>True when a count is an estimate because the provider never reported usage.</summary>
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

    /// <summary>Who cancelled the request through the metrics API; null unless <c>error_type</c> is <c>cancelled</c> by an operator.</summary>
    public string? CancelledBy { get; init; }

    /// <summary>The caller's address; set on rejected-key entries only.</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The caller's user-agent (at most 256 characters); set on rejected-key entries only.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The replica that owned the request, in cluster mode (<c>REDIS_URL</c>); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Replica { get; init; }

    /// <summary>When each step happened; shown by the request detail endpoint, not in the logs.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RequestTimeline? Timeline { get; init; }

    /// <summary>The upstream's HTTP status; shown by the request detail endpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int? UpstreamStatus { get; init; }
}

/// <summary>Values of <see cref="RequestLogEntry.Status"/>.</summary>
public static class RequestStatus
{
    public const string Success = "success";
    public const string Error = "error";
}
