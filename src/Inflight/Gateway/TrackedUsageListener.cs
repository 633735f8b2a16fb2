using Inflight.Protocols.Accounting;
using Inflight.Tracking;

namespace Inflight.Gateway;

/// <summary>Feeds what stream and response accounting learns into the request's tracker handle.</summary>
internal sealed class TrackedUsageListener(TrackedRequest request) : IUsageListener
{
    public void OnOutputTokensEstimated(int tokens) => request.AddEstimatedOutputTokens(tokens);

    public void OnUsage(UsageReport usage)
        => request.ReportUsage(usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheCreationTokens);

    public void OnToolCall() => request.AddToolCalls(1);
}
