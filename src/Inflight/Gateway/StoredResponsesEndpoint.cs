using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// The Responses API's calls on stored responses — <c>GET</c> and <c>DELETE /v1/responses/{id}</c>,
/// <c>GET …/{id}/input_items</c>, <c>POST …/{id}/cancel</c> — and its WebSocket transport. Inflight keeps
/// no state: these are passed through, untracked, to the default provider when it speaks the Responses
/// API itself (the id carries no provider, so the default one is the only place to look); otherwise they
/// get a 400 that says why.
/// </summary>
internal static class StoredResponsesEndpoint
{
    public static async Task ForwardAsync(HttpContext context, IOptions<GatewayOptions> options, UpstreamClients clients, SecretRedactor redactor, TimeProvider timeProvider)
    {
        var gateway = options.Value;
        if (!gateway.Providers.TryGetValue(gateway.DefaultProvider, out var provider) || provider.IsDemo || provider.Format != ApiFormat.Responses)
        {
            var message = $"{context.Request.Method} {context.Request.Path} needs a response stored by the provider, but Inflight is stateless and the default provider '{gateway.DefaultProvider}' does not speak the Responses API, so nothing was stored. Stored responses are reachable only through a default provider with {gateway.DefaultProvider.ToUpperInvariant()}_API_FORMAT=responses (passed through); otherwise send \"store\": false and the whole conversation in 'input'.";
            await ClientErrors.WriteAsync(context, ApiFormat.Responses, StatusCodes.Status400BadRequest, message);
            return;
        }

        var relativePath = context.Request.Path.Value!["/v1/".Length..] + context.Request.QueryString;
        var method = HttpMethods.IsGet(context.Request.Method) ? HttpMethod.Get : new HttpMethod(context.Request.Method);
        using var request = UpstreamRequestFactory.Create(provider, ApiFormat.Responses, relativePath, context.Request, ReadOnlyMemory<byte>.Empty, method);
        await PlainForwarder.ForwardAsync(context, clients.For(provider), request, ApiFormat.Responses, gateway.RequestTimeout, timeProvider, redactor);
    }

    /// <summary>
    /// <c>GET /v1/responses</c>: Codex first tries the Responses API over a WebSocket when its provider allows
    /// it; 426 makes it fall back to HTTPS at once (a 404 costs it five retries first).
    /// </summary>
    public static Task RefuseWebSocketAsync(HttpContext context)
    {
        var wantsWebSocket = context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (wantsWebSocket)
        {
            context.Response.Headers.Connection = "close";
        }

        return ClientErrors.WriteAsync(
            context,
            ApiFormat.Responses,
            wantsWebSocket ? StatusCodes.Status426UpgradeRequired : StatusCodes.Status405MethodNotAllowed,
            "Inflight serves the Responses API over HTTP only: POST /v1/responses (streamed with \"stream\": true). The WebSocket transport is not supported.");
    }
}
