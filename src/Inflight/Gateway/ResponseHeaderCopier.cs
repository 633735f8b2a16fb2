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
        foreach (var header in upstream.Headers)
        {
            if (!s_skipped.Contains(header.Key))
            {
                client.Headers[header.Key] = header.Value.ToArray();
            }
        }

        foreach (var header in upstream.Content.Headers)
        {
            if (!s_skipped.Contains(header.Key))
            {
                client.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (keepContentLength && upstream.Content.Headers.ContentLength is { } length)
        {
            client.ContentLength = length;
        }
    }
}
