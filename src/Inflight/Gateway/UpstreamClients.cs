using System.Collections.Frozen;
using System.Net;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Gateway;

/// <summary>
/// One long-lived <see cref="HttpClient"/> per provider over a shared, pooled
/// <see cref="SocketsHttpHandler"/>, so connections to upstreams are reused across requests. The demo
/// provider gets the in-process demo handler instead of the network.
/// </summary>
internal sealed class UpstreamClients : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly FrozenDictionary<string, HttpClient> _clients;

    public UpstreamClients(IOptions<GatewayOptions> options, IServiceProvider services)
    {
        _handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = int.MaxValue,
            // The body reaches the client byte for byte, so the upstream must not compress it for us.
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,
            // Disposing a response the relay stopped reading must close its connection. The default drain (up to
            // 1 MB or 2 s, to reuse the connection) kept reading a stream whose client had gone, so a short stream
            // ran to completion upstream — and was billed — instead of being cancelled.
            MaxResponseDrainSize = 0,
        };

        var clients = new Dictionary<string, HttpClient>(StringComparer.OrdinalIgnoreCase);
        foreach (var provider in options.Value.Providers.Values)
        {
            HttpMessageHandler handler = provider.IsDemo
                ? services.GetRequiredService<DemoUpstreamHandler>()
                : _handler;

            // Timeouts are enforced per phase by the forwarder (headers, then each chunk), not per request.
            clients[provider.Name] = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        }

        _clients = clients.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    public HttpClient For(ProviderOptions provider) => _clients[provider.Name];

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _handler.Dispose();
    }
}
