namespace Inflight.Security;

/// <summary>Which shape an endpoint's own errors take.</summary>
internal enum ErrorFormat
{
    /// <summary>Anthropic error body (the <c>/v1/messages</c> family).</summary>
    Anthropic,

    /// <summary>OpenAI error body (<c>/v1/chat/completions</c>, <c>/v1/models</c>).</summary>
    OpenAI,

    /// <summary>Plain JSON <c>{"error":...,"message":...}</c> (metrics and dashboard endpoints).</summary>
    Json,
}
