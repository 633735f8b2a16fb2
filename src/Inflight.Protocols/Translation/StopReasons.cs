namespace Inflight.Protocols.Translation;

/// <summary>finish_reason ↔ stop_reason, per the two API references.</summary>
internal static class StopReasons
{
    /// <summary>The <c>finish_reason</c> values OpenAI documents, read from a stream without a new string each.</summary>
    public static readonly string[] OpenAIFinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call"];

    /// <summary>The <c>stop_reason</c> values Anthropic documents.</summary>
    public static readonly string[] AnthropicStopReasons = ["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "model_context_window_exceeded"];

    /// <summary>
    /// OpenAI <c>finish_reason</c> → Anthropic <c>stop_reason</c>. content_filter becomes refusal, the
    /// Anthropic reason for "the model declined / output was stopped by safety filters".
    /// </summary>
    public static string ToAnthropic(string? finishReason) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    /// <summary>Anthropic <c>stop_reason</c> → OpenAI <c>finish_reason</c>.</summary>
    public static string ToOpenAI(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop", // end_turn, stop_sequence, pause_turn
    };
}
