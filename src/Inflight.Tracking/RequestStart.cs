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

    /// <summary>When the gateway received the request (a <see cref="TimeProvider"/> timestamp); the start when null.</summary>
    public long? ReceivedTimestamp { get; init; }

    /// <summary>The calling client (<c>claude-cli</c>, <c>codex_cli_rs</c>, <c>openai-python</c>, <c>curl</c>, <c>unknown</c>, ...).</summary>
    public string? ClientName { get; init; }

    public string? ClientVersion { get; init; }

    /// <summary>The client's session (Claude Code's <c>x-claude-code-session-id</c>, Codex's <c>session_id</c>).</summary>
    public string? SessionId { get; init; }

    /// <summary>The end user the client named (<c>metadata.user_id</c> / <c>user</c>).</summary>
    public string? UserId { get; init; }

    /// <summary>The label of the proxy key the client used (<c>PROXY_API_KEYS</c>), or null.</summary>
    public string? KeyLabel { get; init; }
}
