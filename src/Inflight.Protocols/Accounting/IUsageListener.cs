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
}

/// <summary>Provider-reported token counts, each null when the provider did not say.</summary>
public readonly record struct UsageReport(long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheCreationTokens);
