namespace Inflight.Protocols.Accounting;

/// <summary>The one way accounting hands what it read from an event or a body to its listener.</summary>
internal static class UsageListenerExtensions
{
    /// <summary>Reports tool calls first, then the output estimate (when positive), then provider usage (when any field is known).</summary>
    public static void Report(this IUsageListener listener, int toolCalls, int estimatedTokens, UsageReport? usage)
    {
        for (var i = 0; i < toolCalls; i++)
        {
            listener.OnToolCall();
        }

        if (estimatedTokens > 0)
        {
            listener.OnOutputTokensEstimated(estimatedTokens);
        }

        if (usage is { } reported && UsageJson.HasAny(reported))
        {
            listener.OnUsage(reported);
        }
    }
}
