using System.Net;
using System.Net.Sockets;
using Inflight.Configuration;

namespace Inflight.Hosting;

/// <summary>
/// Checks before start-up that the listen addresses are free. Kestrel reports a taken port as a logged
/// 60-line stack trace; trying the bind first lets Inflight say it in one line instead.
/// </summary>
internal static class PortProbe
{
    /// <summary>The first URL in <paramref name="urls"/> whose address is taken, or null.</summary>
    public static string? FindAddressInUse(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            BindingAddress binding;
            try
            {
                binding = BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                continue;
            }

            if (binding.Port == 0 || binding.IsUnixPipe)
            {
                continue;
            }

            foreach (var address in AddressesOf(binding.Host))
            {
                if (IsInUse(new IPEndPoint(address, binding.Port)))
                {
                    return url;
                }
            }
        }

        return null;
    }

    private static IEnumerable<IPAddress> AddressesOf(string host)
    {
        if (host.Equals(ListenHost.Localhost, StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var address) ? [address] : [IPAddress.Any];
    }

    private static bool IsInUse(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        try
        {
            socket.Bind(endpoint);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            // Not ours to judge (no IPv6, address not on this machine): Kestrel will say what is wrong.
            return false;
        }
    }
}
