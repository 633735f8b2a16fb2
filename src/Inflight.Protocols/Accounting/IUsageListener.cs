namespace Inflight.Protocols.Accounting;

/// <summary>
/// Receives what stream and response accounting learns about a request's token use as bytes pass
/// by. The gateway adapts it onto the tracker's request handle.
/// </summary>
public interface IUsageListener
{
    /// <summary>An estimated number of output tokens just streamed (text or tool-argument deltas); adds to the running estimate.</summary>
    void OnOutputTokensEstimated(int tokens);

    /// <summary>Usage the provider reported; null fields are unknown and leave the current value alone.</summary>
    void OnUsage(UsageReport usage);

    /// <summary>The model started one tool call in its response.</summary>
    void OnToolCall();

    /// <summary>
    /// Whether the listener wants the answer's visible text (<c>VDM_CAPTURE_CONTENT</c>). Read once per event;
    /// when false the accountants copy nothing, so the default costs one interface call.
    /// </summary>
    bool WantsOutputText => false;

    /// <summary>
    /// A piece of the answer's visible text, unescaped UTF-8: Anthropic <c>text_delta</c>, OpenAI
    /// <c>delta.content</c>, Responses <c>response.output_text.delta</c> — not reasoning, not tool arguments.
    /// The span is only valid during the call. Called only when <see cref="WantsOutputText"/> is true.
    /// </summary>
    void OnOutputText(ReadOnlySpan<byte> utf8)
    {
    }
}

/// <summary>Provider-reported token counts, each null when the provider did not say.</summary>
public readonly record struct UsageReport(long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheCreationTokens);
