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
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
    public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    public const string HttpStatusCode = "http.response.status_code";
    public const string InflightRequestId = "inflight.request_id";
    public const string InflightStreaming = "inflight.streaming";
    public const string InflightClientFormat = "inflight.client_format";
    public const string InflightUpstreamFormat = "inflight.upstream_format";
    public const string InflightTokensEstimated = "inflight.tokens_estimated";

    // Span attributes (GenAI spans, "Inference").
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string RequestTopP = "gen_ai.request.top_p";
    public const string RequestTopK = "gen_ai.request.top_k";
    public const string RequestFrequencyPenalty = "gen_ai.request.frequency_penalty";
    public const string RequestPresencePenalty = "gen_ai.request.presence_penalty";
    public const string RequestSeed = "gen_ai.request.seed";
    public const string RequestStream = "gen_ai.request.stream";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    public const string ChatOperation = "chat";
    public const string InputTokenType = "input";
    public const string OutputTokenType = "output";
}
