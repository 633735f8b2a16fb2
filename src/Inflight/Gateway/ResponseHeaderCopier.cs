using System.Collections.Frozen;
using Inflight.Protocols;

namespace Inflight.Gateway;

/// <summary>
/// Carries a provider's response headers to the client, minus hop-by-hop and transport ones. On a
/// translated answer the headers each API names its own way (request id, rate limits) take the client's
/// names (<see cref="ClientHeaderNames"/>).
/// </summary>
internal static class ResponseHeaderCopier
{
    private static readonly FrozenSet<string> s_skipped = new[]
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Proxy-Connection", "Trailer", "TE",
        "Server", "Date", "Set-Cookie", "Alt-Svc", "Strict-Transport-Security", "Content-Length",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static void Copy(HttpResponseMessage upstream, HttpResponse client, bool keepContentLength, HeaderTranslation? translation = null)
    {
        CopyAll(upstream.Headers, upstream, client, translation);
        CopyAll(upstream.Content.Headers, upstream, client, translation);

        if (keepContentLength && upstream.Content.Headers.ContentLength is { } length)
        {
            client.ContentLength = length;
        }
    }

    private static void CopyAll(System.Net.Http.Headers.HttpHeaders headers, HttpResponseMessage upstream, HttpResponse client, HeaderTranslation? translation)
    {
        foreach (var header in headers)
        {
            if (s_skipped.Contains(header.Key))
            {
                continue;
            }

            // A provider that already sends the client's own name (some compatible servers send both) keeps its value.
            if (translation is { } t
                && ClientHeaderNames.TryTranslate(t.Upstream, t.Client, header.Key, string.Join(", ", header.Value), t.Now, out var name, out var value)
                && !upstream.Headers.NonValidated.Contains(name))
            {
                client.Headers[name] = value;
                continue;
            }

            client.Headers[header.Key] = header.Value.ToArray();
        }
    }
}

/// <summary>A translated answer's direction, and the time its reset headers are counted from.</summary>
internal readonly record struct HeaderTranslation(ApiFormat Upstream, ApiFormat Client, DateTimeOffset Now);
