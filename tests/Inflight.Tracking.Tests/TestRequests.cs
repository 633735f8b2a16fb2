using Microsoft.Extensions.Time.Testing;

namespace Inflight.Tracking.Tests;

/// <summary>Builders shared by the tracker tests.</summary>
internal static class TestRequests
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider NewClock() => new(Epoch);

    public static RequestStart Start(string provider = "openai", string model = "gpt-4o", bool streaming = false, string? id = null, int toolUses = 0, int toolResults = 0, long? estimatedInput = null)
        => new()
        {
            RequestId = id,
            Provider = provider,
            RequestedModel = provider + ":" + model,
            ResolvedModel = model,
            IsStreaming = streaming,
            ClientFormat = "anthropic",
            UpstreamFormat = "openai",
            RequestSize = 123,
            MessageCount = 2,
            ToolUses = toolUses,
            ToolResults = toolResults,
            EstimatedInputTokens = estimatedInput,
        };
}
