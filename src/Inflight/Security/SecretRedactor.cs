using System.Text;
using System.Text.RegularExpressions;
using Inflight.Configuration;
using Microsoft.Extensions.Options;

namespace Inflight.Security;

/// <summary>
/// Removes secrets from text that came from a provider before a client or the logs see it: every configured
/// provider key and <c>PROXY_API_KEY</c>, and anything shaped like an API key or bearer token (some providers echo
/// the key they were sent, e.g. <c>Incorrect API key provided: sk-…</c>).
/// </summary>
internal sealed partial class SecretRedactor
{
    public const string Replacement = "[redacted]";

    // Shorter configured values are not redacted literally: a one-letter test key would mangle every message.
    private const int MinLiteralLength = 8;

    private readonly string[] _literals;

    public SecretRedactor(IOptions<GatewayOptions> options)
    {
        var gateway = options.Value;
        _literals = [.. gateway.Providers.Values.Select(p => p.ApiKey)
            .Append(gateway.ProxyApiKey ?? "")
            .Where(k => k.Length >= MinLiteralLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(k => k.Length)];
    }

    public string Redact(string text)
    {
        foreach (var literal in _literals)
        {
            text = text.Replace(literal, Replacement, StringComparison.Ordinal);
        }

        text = BearerToken().Replace(text, "$1" + Replacement);
        return KeyShaped().Replace(text, Replacement);
    }

    /// <summary>The body unchanged (same array) when it holds nothing to redact.</summary>
    public byte[] Redact(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var redacted = Redact(text);
        return ReferenceEquals(redacted, text) || redacted == text ? body : Encoding.UTF8.GetBytes(redacted);
    }

    [GeneratedRegex(@"(\b[Bb]earer\s+)[A-Za-z0-9._~+/\-]{8,}=*")]
    private static partial Regex BearerToken();

    // The prefixes providers put on their keys (OpenAI/Anthropic sk-, Groq gsk_, xAI xai-, …) and Google's AIza.
    [GeneratedRegex(@"\b(?:sk|pk|rk|gsk|xai|key|sess)[-_][A-Za-z0-9_\-]{16,}|\bAIza[0-9A-Za-z_\-]{30,}")]
    private static partial Regex KeyShaped();
}
