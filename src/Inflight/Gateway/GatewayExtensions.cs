using Inflight.Configuration;
using Inflight.Protocols;
using Inflight.Protocols.Translation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

internal static class GatewayExtensions
{
    public static WebApplicationBuilder AddInflightGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UpstreamClients>();
        builder.Services.AddSingleton<ModelRouter>();
        builder.Services.AddSingleton<GatewayForwarder>();
        builder.Services.AddSingleton<GatewayShutdown>();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<GatewayOptions>>(static (host, gateway) =>
        {
            // The host reads HostOptions while it is built, before the settings check runs: invalid settings must
            // reach that check (one line each), not escape from here as a stack trace.
            try
            {
                host.ShutdownTimeout = gateway.Value.ShutdownTimeout + GatewayShutdown.HostMargin;
            }
            catch (OptionsValidationException)
            {
            }
        });
        builder.Services.AddSingleton<ModelCatalog>();
        return builder;
    }

    public static IEndpointRouteBuilder MapInflightGateway(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", GetHealth);

        var anthropic = endpoints.MapGroup("/v1").RequireProxyKey(ErrorFormat.Anthropic, acceptSessionCookie: false);
        anthropic.MapPost("/messages", PostMessages);
        anthropic.MapPost("/messages/count_tokens", CountTokensEndpoint.PostAsync);

        var openAI = endpoints.MapGroup("/v1").RequireProxyKey(ErrorFormat.OpenAI, acceptSessionCookie: false);
        openAI.MapPost("/chat/completions", PostChatCompletions);
        openAI.MapPost("/responses", PostResponses);
        openAI.MapGet("/responses", StoredResponsesEndpoint.RefuseWebSocketAsync);
        openAI.MapMethods("/responses/{id}", [HttpMethods.Get, HttpMethods.Delete], StoredResponsesEndpoint.ForwardAsync);
        openAI.MapGet("/responses/{id}/input_items", StoredResponsesEndpoint.ForwardAsync);
        openAI.MapPost("/responses/{id}/cancel", StoredResponsesEndpoint.ForwardAsync);

        var either = endpoints.MapGroup("/v1").RequireProxyKey(ErrorFormat.ByClient, acceptSessionCookie: false);
        either.MapGet("/models", ModelsEndpoint.ListAsync);
        either.MapGet("/models/{**modelId}", ModelsEndpoint.GetAsync);

        // Anything else under /v1 gets a 404 an SDK can parse, naming what does exist.
        endpoints.MapFallback("/v1/{**path}", NotFoundAsync);
        return endpoints;
    }

    public static Task NotFoundAsync(HttpContext context)
    {
        var format = context.Request.Path.StartsWithSegments("/v1/messages") || context.Request.Headers.ContainsKey("anthropic-version")
            ? ApiFormat.Anthropic
            : ApiFormat.OpenAI;
        var message = $"{context.Request.Method} {context.Request.Path} is not an Inflight endpoint. Available: POST /v1/messages, POST /v1/messages/count_tokens, POST /v1/chat/completions, POST /v1/responses, GET /v1/models, GET /v1/models/{{id}}.";
        return ClientErrors.WriteAsync(context, format, StatusCodes.Status404NotFound, message);
    }

    public static JsonHttpResult<HealthStatus> GetHealth(IOptions<GatewayOptions> options, HistoryService history)
    {
        var gateway = options.Value;
        return TypedResults.Json(
            new HealthStatus("ok", gateway.DefaultProvider, [.. gateway.Providers.Keys.Order(StringComparer.Ordinal)], gateway.DemoMode, LocalTokenCounter.SharedCacheStats, AnthropicToOpenAIRequest.ToolListCacheStats, HistoryHealth.Of(history)),
            GatewayJsonContext.Default.HealthStatus);
    }

    public static Task PostMessages(HttpContext context, GatewayForwarder forwarder)
        => forwarder.ForwardAsync(context, GatewayEndpoint.Messages);

    public static Task PostChatCompletions(HttpContext context, GatewayForwarder forwarder)
        => forwarder.ForwardAsync(context, GatewayEndpoint.ChatCompletions);

    public static Task PostResponses(HttpContext context, GatewayForwarder forwarder)
        => forwarder.ForwardAsync(context, GatewayEndpoint.Responses);
}

/// <summary>
/// <c>GET /health</c>; <c>token_count_cache</c> shows how often local token counting (count_tokens and translated streams' input estimate) reused a block's count;
/// <c>tool_list_cache</c> how often a translated Messages request's tool list was copied from an earlier translation of the same bytes;
/// <c>history</c> shows the history store (written, pending, dropped, last error).
/// </summary>
internal sealed record HealthStatus(string Status, string DefaultProvider, IReadOnlyList<string> Providers, bool Demo, CacheStats TokenCountCache, CacheStats ToolListCache, HistoryHealth History);
