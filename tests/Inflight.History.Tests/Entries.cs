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

    /// <summary>Every stored column set to a value other than its default, the nullable ones included.</summary>
    public static RequestLogEntry Full(string id, double start) => Make(id, start, errorType: ErrorTypes.UpstreamHttpError) with
    {
        StatusCode = 429,
        TtftMs = 0.125,
        InputTokens = 1L << 50,
        OutputTokens = 9_007_199_254_740_993,
        CacheReadTokens = 1L << 40,
        CacheCreationTokens = 0,
        TokensEstimated = true,
        ToolUses = int.MaxValue,
        ToolResults = 0,
        ToolCalls = -1,
        RequestSize = 5_000_000_000,
        MessageCount = int.MaxValue,
        TranslationNotes = ["dropped: context_management"],
        ClientName = "codex",
        ClientVersion = "0.171.0",
        SessionId = "session-" + id,
        UserId = "user-" + id,
        KeyLabel = "team-b",
        CancelledBy = "operator",
        ClientAddress = "::1",
        UserAgent = "codex_cli_rs/0.171.0",
        UpstreamStatus = 429,
        Replica = "replica-b",
    };

    /// <summary>Every nullable stored column null, the texts empty.</summary>
    public static RequestLogEntry Sparse(string id, double start) => Make(id, start, streaming: false) with
    {
        Model = "",
        StatusCode = null,
        ErrorType = null,
        ErrorMessage = null,
        TtftMs = null,
        InputTokens = 0,
        OutputTokens = 0,
        CacheReadTokens = 0,
        CacheCreationTokens = 0,
        ToolUses = 0,
        ToolResults = 0,
        ToolCalls = 0,
        RequestSize = 0,
        MessageCount = 0,
        TranslationNotes = [],
        ClientVersion = null,
        SessionId = null,
        UserId = null,
        KeyLabel = null,
        CancelledBy = null,
        ClientAddress = null,
        UserAgent = null,
        UpstreamStatus = null,
        Replica = null,
    };

    /// <summary>Value equality including the notes list (records compare lists by reference).</summary>
    public static string Json(RequestLogEntry entry) => JsonSerializer.Serialize(entry);

    /// <summary>As <see cref="Json"/>, with the stored fields the log JSON leaves out (<c>upstream_status</c>).</summary>
    public static string Stored(RequestLogEntry entry) => Json(entry) + " upstream_status=" + entry.UpstreamStatus;
}
