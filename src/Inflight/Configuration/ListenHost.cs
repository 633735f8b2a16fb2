using System.Net;

namespace Inflight.Configuration;

/// <summary>
/// What <c>HOST</c> accepts. Kestrel listens on every interface for any name it cannot parse as an address
/// (<c>HOST=notahost</c> would open the gateway to the network), so only addresses and <c>localhost</c> pass.
/// </summary>
internal static class ListenHost
{
    public const string Localhost = "localhost";

    /// <summary>An IP address (IPv4 as four dotted numbers, or IPv6, brackets optional) or <c>localhost</c>.</summary>
    public static bool TryParse(string host, out IPAddress? address)
    {
        address = null;
        if (host.Equals(Localhost, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (bare.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(bare, out address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        // IPAddress.TryParse also takes "1" or "10.1" (inet_aton shorthands); a typo should not turn into an address.
        var parts = bare.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255))
        {
            return false;
        }

        return IPAddress.TryParse(bare, out address);
    }

    /// <summary>True for <c>localhost</c> and loopback addresses (127.0.0.0/8, ::1); false for anything else, names included.</summary>
    public static bool IsLoopback(string host)
        => host.Equals(Localhost, StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>The host as it goes into a URL (IPv6 in brackets).</summary>
    public static string ForUrl(string host)
        => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;

    /// <summary>
    /// A server on this machine or the local network: loopback, a private or link-local address, or a name
    /// without dots (<c>localhost</c>, a compose service such as <c>ollama</c>) or under <c>.local</c> / <c>.internal</c>.
    /// Such a server may be declared by its base URL alone, without a key.
    /// </summary>
    public static bool IsLocalNetwork(Uri url)
    {
        var host = url.IdnHost;
        if (!IPAddress.TryParse(host, out var address))
        {
            return !host.Contains('.', StringComparison.Ordinal)
                || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
                || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
        }

        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6UniqueLocal)
        {
            return true;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return b.Length == 4 && (b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254));
    }
}
