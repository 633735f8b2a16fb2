using System.Security.Cryptography;
using System.Text;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Security;

/// <summary>
/// Checks the client key against <c>PROXY_API_KEY</c> in constant time. Both sides are hashed first so
/// the comparison time depends on neither the key's length nor where it first differs.
/// </summary>
internal sealed class ProxyKeyVerifier
{
    private readonly byte[]? _expectedHash;

    public ProxyKeyVerifier(IOptions<GatewayOptions> options)
    {
        var key = options.Value.ProxyApiKey;
        _expectedHash = key is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>False when no key is configured: everything is open.</summary>
    public bool IsRequired => _expectedHash is not null;

    public bool Verify(string? candidate)
    {
        if (_expectedHash is null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(candidate))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(candidate), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _expectedHash);
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
