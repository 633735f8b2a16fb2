using Inflight.Configuration;
using Inflight.Protocols;
using Inflight.Protocols.Requests;
using Inflight.Protocols.Translation;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: passed through to Anthropic-format providers, counted locally with
/// a real tokenizer for the others. Not tracked as an
/// in-flight LLM request: it generates no tokens and Claude Code calls it often, so it would only add noise.
/// </summary>
internal static class CountTokensEndpoint
{
    public static async Task PostAsync(HttpContext context, IOptions<GatewayOptions> options, ModelRouter router, UpstreamClients clients, TimeProvider timeProvider, SecretRedactor redactor)
    {
        var gateway = options.Value;
        var read = await RequestBodyReader.ReadAsync(context, gateway.MaxRequestBytes);
        if (read.OversizeBytes is not null)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, StatusCodes.Status413PayloadTooLarge, RequestBodyReader.TooLargeMessage(gateway.MaxRequestBytes));
            return;
        }

        if (read.RejectedStatus is { } status)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, status, read.RejectedMessage!);
            return;
        }

        if (read.Body is not { } body)
        {
            return;
        }

        // One parse serves the inspector, the translator's check and the token count.
        using var parsed = RequestInspector.TryParse(body, out var parseError);
        RequestSummary summary;
        try
        {
            summary = RequestInspector.Inspect(ApiFormat.Anthropic, parsed ?? throw parseError!, requireMessages: true);
        }
        catch (RequestBodyException ex)
        {
            await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        if (!router.TryResolve(summary.Model, out var route, out var error))
        {
            await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, StatusCodes.Status404NotFound, error!);
            return;
        }

        var provider = route!.Provider;
        if (!provider.IsDemo && provider.Format != ApiFormat.Anthropic)
        {
            // OpenAI-format providers have no token-count endpoint: count locally (o200k; see docs/translation.md for accuracy).
            // The body must be one /v1/messages would translate, so both endpoints agree on what is valid.
            byte[] counted;
            try
            {
                AnthropicToOpenAIRequest.Check(parsed!.RootElement, new TranslationContext { Model = route.ResolvedModel, TimeProvider = timeProvider });
                counted = LocalTokenCounter.Shared.CountTokensResponse(parsed!.RootElement);
            }
            catch (TranslationException ex)
            {
                await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, ex.Status, ex.Message);
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or System.Text.Json.JsonException)
            {
                // A shape the translator or counter cannot read is the body's fault, as on the messages route.
                await ClientErrors.WriteAsync(context, ApiFormat.Anthropic, StatusCodes.Status400BadRequest, $"The request body could not be counted: {ex.Message}");
                return;
            }

            context.Response.ContentType = "application/json";
            context.Response.ContentLength = counted.Length;
            await context.Response.Body.WriteAsync(counted, context.RequestAborted);
            return;
        }

        var upstreamBody = RequestBodyRewriter.Rewrite(body, route.ResolvedModel, addIncludeUsage: false);
        using var request = UpstreamRequestFactory.Create(provider, ApiFormat.Anthropic, "messages/count_tokens" + context.Request.QueryString, context.Request, upstreamBody);
        await PlainForwarder.ForwardAsync(context, clients.For(provider), request, ApiFormat.Anthropic, gateway.RequestTimeout, timeProvider, redactor);
    }
}
