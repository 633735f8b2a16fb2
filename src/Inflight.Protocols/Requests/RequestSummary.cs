namespace Inflight.Protocols.Requests;

/// <summary>What the gateway needs to know about a client request body to route and track it.</summary>
public sealed record RequestSummary
{
    public required string Model { get; init; }

    public bool IsStreaming { get; init; }

    /// <summary>Null when the body has no <c>messages</c> array.</summary>
    public int? MessageCount { get; init; }

    /// <summary>Tool calls already made in the conversation (Anthropic tool_use blocks, OpenAI assistant tool_calls).</summary>
    public int ToolUses { get; init; }

    /// <summary>Tool results sent back (Anthropic tool_result blocks, OpenAI tool messages).</summary>
    public int ToolResults { get; init; }

    /// <summary>OpenAI only: the client asked for the final usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool IncludeUsageRequested { get; init; }

    /// <summary>UTF-8 bytes of message, system and tool text: the basis of a cheap input-token estimate.</summary>
    public long TextBytes { get; init; }

    /// <summary>The end user the client named: Anthropic <c>metadata.user_id</c>, OpenAI <c>user</c>; at most 256 characters.</summary>
    public string? UserId { get; init; }
}
