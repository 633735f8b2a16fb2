using System.Collections.Frozen;

namespace Inflight.Gateway;

/// <summary>Carries a provider's response headers to the client, minus hop-by-hop and transport ones.</summary>
internal static class ResponseHeaderCopier
{
    private static readonly FrozenSet<string> s_skipped = new[]
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Authenticate", "Proxy-Connection", "Trailer", "TE",
        "Server", "Date", "Set-Cookie", "Alt-Svc", "Strict-Transport-Security", "Content-Length",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static void Copy(HttpResponseMessage upstream, HttpResponse client, bool keepContentLength)
    {
        CopyAll(upstream.Headers, client);
        CopyAll(upstream.Content.Headers, client);

        if (keepContentLength && upstream.Content.Headers.ContentLength is { } length)
        {
            client.ContentLength = length;
        }
    }

    private static void CopyAll(System.Net.Http.Headers.HttpHeaders headers, HttpResponse client)
    {
        foreach (var header in headers)
        {
            if (!s_skipped.Contains(header.Key))
            {
                client.Headers[header.Key] = header.Value.ToArray();
            }
        }
    }
}
