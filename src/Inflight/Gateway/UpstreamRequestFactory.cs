using System.Net.Http.Headers;
using Inflight.Configuration;
using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>
/// Builds the request to a provider: its own key in place of the client's, the API headers that matter
/// (<c>anthropic-version</c>, <c>anthropic-beta</c>, content type) carried over, and nothing that would
/// change the response's encoding.
/// </summary>
internal static class UpstreamRequestFactory
{
    public const string DefaultAnthropicVersion = "2023-06-01";

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    /// <summary>Headers a client may send that providers act on; everything else stays at the gateway.</summary>
    private static readonly string[] s_forwardedHeaders = ["anthropic-beta", "anthropic-dangerous-direct-browser-access", "user-agent", "http-referer", "x-title", "openai-beta", "x-stainless-helper-method"];

    public static HttpRequestMessage Create(ProviderOptions provider, ApiFormat upstreamFormat, string relativePath, HttpRequest client, ReadOnlyMemory<byte> body, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Post, Combine(provider.BaseUrl, relativePath))
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };

        if (method != HttpMethod.Get)
        {
            var content = new ReadOnlyMemoryContent(body);
            content.Headers.ContentType = s_json;
            request.Content = content;
        }

        // A local server declared by its base URL alone has no key: send no credentials rather than an empty one.
        var hasKey = provider.ApiKey.Length > 0;
        if (upstreamFormat == ApiFormat.Anthropic)
        {
            if (hasKey)
            {
                request.Headers.TryAddWithoutValidation("x-api-key", provider.ApiKey);
            }

            var version = client.Headers["anthropic-version"].ToString();
            request.Headers.TryAddWithoutValidation("anthropic-version", string.IsNullOrEmpty(version) ? DefaultAnthropicVersion : version);
        }
        else if (hasKey)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + provider.ApiKey);
        }

        foreach (var name in s_forwardedHeaders)
        {
            if (client.Headers.TryGetValue(name, out var values) && IsPrintableAscii(values))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return request;
    }

    /// <summary>
    /// A header carrying control bytes (or non-ASCII) is dropped, not forwarded: it could smuggle escape sequences
    /// into the provider's logs, and the HTTP client refuses non-ASCII values, which would fail the whole request.
    /// </summary>
    private static bool IsPrintableAscii(Microsoft.Extensions.Primitives.StringValues values)
    {
        foreach (var value in values)
        {
            foreach (var c in value ?? "")
            {
                if (c is (< ' ' and not '\t') or > '~')
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static Uri Combine(Uri baseUrl, string relativePath)
        => new(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + relativePath.TrimStart('/'));
}
