namespace Inflight.Security;

/// <summary>Which shape an endpoint's own errors take.</summary>
internal enum ErrorFormat
{
    /// <summary>Anthropic error body (the <c>/v1/messages</c> family).</summary>
    Anthropic,

    /// <summary>OpenAI error body (<c>/v1/chat/completions</c>).</summary>
    OpenAI,

    /// <summary>Anthropic's body when the request carries <c>anthropic-version</c>, else OpenAI's (<c>/v1/models</c>, which both kinds of client call).</summary>
    ByClient,

    /// <summary>Plain JSON <c>{"error":...,"message":...}</c> (metrics and dashboard endpoints).</summary>
    Json,
}
