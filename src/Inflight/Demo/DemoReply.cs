using Inflight.Protocols;

namespace Inflight.Demo;

/// <summary>Why the simulated generation ended.</summary>
internal enum DemoStopReason
{
    EndTurn,
    ToolUse,
    MaxTokens,
}

/// <summary>A simulated tool call: ids in the format's style, full arguments and the fragments they stream in.</summary>
internal sealed record DemoToolCall(string Id, string Name, string Arguments, IReadOnlyList<string> Fragments);

/// <summary>
/// Everything one simulated answer contains, decided up front so the non-streaming body and the
/// stream of the same reply carry exactly the same text, tool call and usage.
/// </summary>
internal sealed class DemoReply
{
    public required ApiFormat Format { get; init; }

    public required string Model { get; init; }

    /// <summary><c>msg_…</c> (Anthropic) or <c>chatcmpl-…</c> (OpenAI).</summary>
    public required string Id { get; init; }

    /// <summary>Unix seconds, for OpenAI's <c>created</c>.</summary>
    public long Created { get; init; }

    /// <summary>Token-sized pieces of the text block (empty when the reply is a bare tool call).</summary>
    public IReadOnlyList<string> TextPieces { get; init; } = [];

    public DemoToolCall? ToolCall { get; init; }

    public DemoStopReason StopReason { get; init; }

    /// <summary>All prompt tokens, cached ones included (OpenAI's <c>prompt_tokens</c>).</summary>
    public int PromptTokens { get; init; }

    public int CacheReadTokens { get; init; }

    /// <summary>Anthropic only: tokens written to the prompt cache.</summary>
    public int CacheCreationTokens { get; init; }

    public int OutputTokens { get; init; }

    /// <summary>Anthropic's <c>input_tokens</c>, which excludes cache reads and writes.</summary>
    public int UncachedInputTokens => Math.Max(0, PromptTokens - CacheReadTokens - CacheCreationTokens);

    /// <summary>OpenAI reports cached tokens in 128-token steps, and only from 1024 up.</summary>
    public int OpenAICachedTokens => CacheReadTokens >= 1024 ? CacheReadTokens / 128 * 128 : 0;

    /// <summary>Streams only: the stream breaks after this many content pieces (text and argument fragments); null = no break.</summary>
    public int? BreakAfterPieces { get; init; }

    /// <summary>Anthropic streams only: a break sends an <c>overloaded_error</c> event instead of cutting the connection.</summary>
    public bool BreakWithErrorEvent { get; init; }

    public TimeSpan TimeToFirstToken { get; init; }

    public double TokensPerSecond { get; init; }

    /// <summary>Seeds the per-stream jitter of delays, so one reply replays identically.</summary>
    public int PacingSeed { get; init; }

    public string Text => string.Concat(TextPieces);
}
