using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Inflight.Security;

/// <summary>
/// Opaque dashboard sessions: a successful sign-in with <c>PROXY_API_KEY</c> gets a random token (never
/// the key) in an HttpOnly cookie, which the metrics endpoints and the SSE stream accept — EventSource
/// cannot send headers. Sessions live in memory and end on sign-out, expiry or restart.
/// </summary>
internal sealed class DashboardSessionStore(TimeProvider timeProvider)
{
    public const string CookieName = "inflight_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);

    public string Create()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[token] = timeProvider.GetUtcNow() + Lifetime;
        return token;
    }

    public bool IsValid(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_sessions.TryGetValue(token, out var expires))
        {
            return false;
        }

        if (expires <= timeProvider.GetUtcNow())
        {
            _sessions.TryRemove(token, out _);
            return false;
        }

        return true;
    }

    public void Revoke(string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            _sessions.TryRemove(token, out _);
        }
    }
}
