using System.Text.Json;
using Inflight.Tracking;

namespace Inflight.History.Tests;

internal static class Entries
{
    public static RequestLogEntry Make(string id, double start, string provider = "openai", string model = "gpt-4o", string? errorType = null, long input = 100, long output = 20, bool streaming = true)
        => new()
        {
            RequestId = id,
            Provider = provider,
            Model = model,
            RequestedModel = provider + ":" + model,
            QualifiedModel = provider + ":" + model,
            IsStreaming = streaming,
            Status = errorType is null ? RequestStatus.Success : RequestStatus.Error,
            StatusCode = errorType is null ? 200 : 502,
            ErrorType = errorType,
            ErrorMessage = errorType is null ? null : "upstream broke: " + id,
            StartTime = start,
            EndTime = start + 1.5,
            DurationMs = 1500.25,
            TtftMs = streaming ? 210.5 : null,
            InputTokens = input,
            OutputTokens = output,
            CacheReadTokens = 7,
            CacheCreationTokens = 3,
            TokensEstimated = !streaming,
            ToolUses = 1,
            ToolResults = 2,
            ToolCalls = 3,
            RequestSize = 4096,
            MessageCount = 5,
            ClientFormat = "anthropic",
            UpstreamFormat = "openai",
            TranslationNotes = streaming ? ["dropped: context_management", "mapped: thinking"] : [],
            ClientName = streaming ? "claude-code" : ClientNames.Unknown,
            ClientVersion = streaming ? "2.1.332" : null,
            SessionId = streaming ? "session-" + id : null,
            KeyLabel = streaming ? "team-a" : null,
            ClientAddress = "127.0.0.1",
            UserAgent = "test-agent/1.0",
            UpstreamStatus = errorType is null ? 200 : 502,
            Replica = streaming ? "replica-a" : null,
        };

    /// <summary>Value equality including the notes list (records compare lists by reference).</summary>
    public static string Json(RequestLogEntry entry) => JsonSerializer.Serialize(entry);
}
