using System.Globalization;
using Inflight.Protocols.Accounting;

namespace Inflight.Protocols.Tests.Accounting;

/// <summary>Records every listener call in order, and folds them the way the tracker does.</summary>
internal sealed class RecordingUsageListener : IUsageListener
{
    public List<string> Calls { get; } = [];

    public long? InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public bool OutputEstimated { get; private set; }

    public long? CacheReadTokens { get; private set; }

    public long? CacheCreationTokens { get; private set; }

    public int ToolCalls { get; private set; }

    public int EstimatedTokens { get; private set; }

    public void OnOutputTokensEstimated(int tokens)
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture, $"estimate {tokens}"));
        EstimatedTokens += tokens;
        OutputTokens += tokens;
        OutputEstimated = true;
    }

    public void OnUsage(UsageReport usage)
    {
        Calls.Add(string.Create(CultureInfo.InvariantCulture,
            $"usage in={usage.InputTokens} out={usage.OutputTokens} read={usage.CacheReadTokens} write={usage.CacheCreationTokens}"));
        InputTokens = usage.InputTokens ?? InputTokens;
        CacheReadTokens = usage.CacheReadTokens ?? CacheReadTokens;
        CacheCreationTokens = usage.CacheCreationTokens ?? CacheCreationTokens;
        if (usage.OutputTokens is { } output)
        {
            OutputTokens = output;
            OutputEstimated = false;
        }
    }

    public void OnToolCall()
    {
        Calls.Add("tool");
        ToolCalls++;
    }
}
