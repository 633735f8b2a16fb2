using System.Security.Cryptography;
using System.Text;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Security;

/// <summary>
/// Checks the client key against <c>PROXY_API_KEY</c> and the labelled <c>PROXY_API_KEYS</c> in constant time.
/// Both sides are hashed first so the comparison time depends on neither the key's length nor where it first
/// differs; every configured key is compared, so the time does not say which one matched either.
/// </summary>
internal sealed class ProxyKeyVerifier
{
    private readonly (string Label, byte[] Hash)[] _keys;

    public ProxyKeyVerifier(IOptions<GatewayOptions> options)
    {
        var gateway = options.Value;
        var keys = new List<(string, byte[])>();
        if (gateway.ProxyApiKey is { } key)
        {
            keys.Add((ProxyKeyLabels.Default, SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        }

        foreach (var (label, labelled) in gateway.LabelledProxyKeys)
        {
            keys.Add((label, SHA256.HashData(Encoding.UTF8.GetBytes(labelled))));
        }

        _keys = [.. keys];
    }

    /// <summary>False when no key is configured: everything is open.</summary>
    public bool IsRequired => _keys.Length > 0;

    public bool Verify(string? candidate) => !IsRequired || Identify(candidate) is not null;

    /// <summary>The label of the key <paramref name="candidate"/> is (<c>default</c> for <c>PROXY_API_KEY</c>); null when none.</summary>
    public string? Identify(string? candidate)
    {
        if (_keys.Length == 0 || string.IsNullOrEmpty(candidate))
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(candidate), hash);
        string? match = null;
        foreach (var (label, expected) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match ??= label;
            }
        }

        return match;
    }

    /// <summary>The key a request carries: <c>x-api-key</c>, else <c>Authorization: Bearer</c>.</summary>
    public static string? ReadClientKey(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (!string.IsNullOrEmpty(apiKey))
        {
            return apiKey;
        }

        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? authorization[Bearer.Length..].Trim() : null;
    }
}
