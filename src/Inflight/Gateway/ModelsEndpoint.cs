using Inflight.Configuration;
using Inflight.Protocols;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary><c>GET /v1/models</c>: the default provider's model list, as that provider returns it.</summary>
internal static class ModelsEndpoint
{
    public static async Task GetAsync(HttpContext context, IOptions<GatewayOptions> options, UpstreamClients clients, TimeProvider timeProvider, SecretRedactor redactor)
    {
        var gateway = options.Value;
        var provider = gateway.Providers[gateway.DefaultProvider];
        var clientFormat = context.Request.Headers.ContainsKey("anthropic-version") ? ApiFormat.Anthropic : ApiFormat.OpenAI;
        var upstreamFormat = provider.IsDemo ? clientFormat : provider.Format;
        using var request = UpstreamRequestFactory.Create(provider, upstreamFormat, "models" + context.Request.QueryString, context.Request, ReadOnlyMemory<byte>.Empty, HttpMethod.Get);
        await PlainForwarder.ForwardAsync(context, clients.For(provider), request, clientFormat, gateway.RequestTimeout, timeProvider, redactor);
    }
}
