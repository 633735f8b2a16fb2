namespace Inflight.Telemetry;

/// <summary>Names from the OpenTelemetry GenAI semantic conventions, plus Inflight's own.</summary>
internal static class GenAiAttributes
{
    public const string TokenUsageMetric = "gen_ai.client.token.usage";
    public const string DurationMetric = "gen_ai.client.operation.duration";
    public const string TimeToFirstChunkMetric = "gen_ai.client.operation.time_to_first_chunk";
    public const string ActiveRequestsMetric = "inflight.requests.active";

    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string Phase = "inflight.request.phase";

    public const string ChatOperation = "chat";
    public const string InputTokenType = "input";
    public const string OutputTokenType = "output";
}
