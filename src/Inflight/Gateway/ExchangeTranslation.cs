using Inflight.Configuration;
using Inflight.Protocols;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;

namespace Inflight.Gateway;

/// <summary>
/// Which format Inflight speaks to a provider for a client of each format, and which translators turn
/// one into the other. Same format: passed through. Anthropic ↔ Chat: both ways. Responses client →
/// Chat or Anthropic provider: translated both ways. Messages or Chat client → a Responses provider:
/// refused (no translator exists for that direction; the client can use <c>POST /v1/responses</c>).
/// </summary>
internal static class ExchangeTranslation
{
    /// <summary>
    /// The provider's format; the demo provider answers Messages and Chat natively, and Responses clients
    /// reach it through Chat (it has no Responses responder of its own).
    /// </summary>
    public static ApiFormat UpstreamFormat(ProviderOptions provider, ApiFormat clientFormat)
        => !provider.IsDemo ? provider.Format : clientFormat == ApiFormat.Responses ? ApiFormat.OpenAI : clientFormat;

    /// <summary>Why this request cannot go to this provider, or null when it can.</summary>
    public static string? Refusal(ApiFormat clientFormat, ApiFormat upstreamFormat, ProviderOptions provider, RequestSummary summary)
    {
        if (clientFormat == upstreamFormat)
        {
            return null;
        }

        var formatSetting = provider.Name.ToUpperInvariant() + "_API_FORMAT";
        if (upstreamFormat == ApiFormat.Responses)
        {
            var api = clientFormat == ApiFormat.Anthropic ? "Anthropic Messages" : "Chat Completions";
            return $"Provider '{provider.Name}' speaks the OpenAI Responses API ({formatSetting}=responses), and Inflight does not translate {api} requests to it. Send this request as POST /v1/responses, or route it to a provider whose {formatSetting} is 'openai' or 'anthropic'.";
        }

        if (clientFormat == ApiFormat.Responses && summary.PreviousResponseId is not null)
        {
            return $"'previous_response_id' asks for a response stored by the provider, but Inflight is stateless and provider '{provider.Name}' does not speak the Responses API ({formatSetting}={upstreamFormat.ToWireName()}), so nothing was stored. Send the whole conversation in 'input' (with \"store\": false), or route to a provider with {formatSetting}=responses, to which Responses requests pass through unchanged.";
        }

        return null;
    }

    /// <summary>
    /// Writes the client's request body in the provider's format into <paramref name="output"/> (pooled: the gateway sends it from
    /// there, with no copy of its own). Throws <see cref="TranslationException"/> for what it refuses. <paramref name="parsed"/> is
    /// the body as the inspector parsed it (<see cref="RequestInspector.Parse"/>); the translators read it rather than parsing again.
    /// </summary>
    public static void TranslateRequest(ApiFormat clientFormat, ApiFormat upstreamFormat, System.Text.Json.JsonDocument parsed, TranslationContext context, PooledBufferWriter output)
    {
        Action<System.Text.Json.JsonElement, TranslationContext, PooledBufferWriter> translate = (clientFormat, upstreamFormat) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => AnthropicToOpenAIRequest.Translate,
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => OpenAIToAnthropicRequest.Translate,
            (ApiFormat.Responses, ApiFormat.OpenAI) => ResponsesToOpenAIRequest.Translate,
            (ApiFormat.Responses, ApiFormat.Anthropic) => ResponsesToAnthropicRequest.Translate,
            _ => throw new InvalidOperationException($"No request translator from {clientFormat} to {upstreamFormat}."),
        };
        translate(parsed.RootElement, context, output);
    }

    /// <summary>A complete (non-streamed) provider answer in the client's format.</summary>
    public static byte[] TranslateResponse(ApiFormat clientFormat, ApiFormat upstreamFormat, ReadOnlySpan<byte> body, TranslationContext context)
        => (clientFormat, upstreamFormat) switch
        {
            (ApiFormat.Anthropic, ApiFormat.OpenAI) => OpenAIToAnthropicResponse.Translate(body, context),
            (ApiFormat.OpenAI, ApiFormat.Anthropic) => AnthropicToOpenAIResponse.Translate(body, context),
            (ApiFormat.Responses, ApiFormat.OpenAI) => OpenAIToResponsesResponse.Translate(body, context),
            (ApiFormat.Responses, ApiFormat.Anthropic) => AnthropicToResponsesResponse.Translate(body, context),
            _ => throw new InvalidOperationException($"No response translator from {upstreamFormat} to {clientFormat}."),
        };

    /// <summary>An upstream error answer in the client's format: Chat and Responses share OpenAI's error shape.</summary>
    public static TranslatedError TranslateError(ApiFormat clientFormat, ApiFormat upstreamFormat, int status, byte[] body)
        => (clientFormat, upstreamFormat) switch
        {
            (ApiFormat.Anthropic, not ApiFormat.Anthropic) => ErrorTranslator.OpenAIToAnthropic(status, body),
            (not ApiFormat.Anthropic, ApiFormat.Anthropic) => ErrorTranslator.AnthropicToOpenAI(status, body),
            _ => new TranslatedError(status, body),
        };
}
