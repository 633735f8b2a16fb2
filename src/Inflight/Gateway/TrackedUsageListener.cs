using Inflight.Protocols.Accounting;
using Inflight.Tracking;

namespace Inflight.Gateway;

/// <summary>
/// Feeds what stream and response accounting learns into the request's tracker handle, and the answer's visible
/// text into its content peek when <c>VDM_CAPTURE_CONTENT</c> is on (<paramref name="peek"/> not null).
/// </summary>
internal sealed class TrackedUsageListener(TrackedRequest request, ContentPeek? peek = null) : IUsageListener
{
    public bool WantsOutputText => peek is not null;

    public void OnOutputText(ReadOnlySpan<byte> utf8) => peek?.AppendOutput(utf8);

    public void OnOutputTokensEstimated(int tokens) => request.AddEstimatedOutputTokens(tokens);

    public void OnUsage(UsageReport usage)
        => request.ReportUsage(usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheCreationTokens);

    public void OnToolCall() => request.AddToolCalls(1);
}
