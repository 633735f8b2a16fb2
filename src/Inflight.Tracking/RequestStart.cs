namespace Inflight.Tracking;

/// <summary>What the gateway knows about a request when it arrives, before anything goes upstream.</summary>
public sealed record RequestStart
{
    /// <summary>Optional caller-chosen id; the tracker makes one when it is null.</summary>
    public string? RequestId { get; init; }

    public required string Provider { get; init; }

    /// <summary>The model exactly as the client asked for it (prefix included).</summary>
    public required string RequestedModel { get; init; }

    /// <summary>The model sent upstream (prefix stripped, aliases applied).</summary>
    public required string ResolvedModel { get; init; }

    public bool IsStreaming { get; init; }

    /// <summary>"anthropic" or "openai".</summary>
    public required string ClientFormat { get; init; }

    /// <summary>"anthropic" or "openai".</summary>
    public required string UpstreamFormat { get; init; }

    /// <summary>Request body size in bytes.</summary>
    public long RequestSize { get; init; }

    public int MessageCount { get; init; }

    /// <summary>tool_use blocks / assistant tool_calls already in the conversation the client sent.</summary>
    public int ToolUses { get; init; }

    /// <summary>tool_result blocks / tool messages in the conversation the client sent.</summary>
    public int ToolResults { get; init; }

    /// <summary>Estimated input tokens, shown until the provider reports the real count.</summary>
    public long? EstimatedInputTokens { get; init; }
}
