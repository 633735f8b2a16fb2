using System.Globalization;
using StackExchange.Redis;

namespace Inflight.Cluster;

/// <summary>
/// Parses <c>REDIS_URL</c>: <c>redis://[[user]:password@]host[:port][/db]</c>, or <c>rediss://…</c> for TLS
/// (the server certificate is checked against <c>host</c>). The port defaults to 6379, the database to 0.
/// </summary>
internal static class RedisUrl
{
    public const int DefaultPort = 6379;

    public static bool TryParse(string url, out ConfigurationOptions? options, out string? error)
    {
        options = null;
        error = null;
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            error = "must be redis://[user:password@]host[:port][/db], or rediss://… for TLS";
            return false;
        }

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
        {
            error = "must name a database number from 0 to 15 in its path (redis://host:6379/0)";
            return false;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error = "must not have a query or fragment; the forms are redis://[user:password@]host[:port][/db] and rediss://…";
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        options = new ConfigurationOptions
        {
            EndPoints = { { host, port } },
            DefaultDatabase = database,
            Ssl = uri.Scheme == "rediss",
            SslHost = uri.Scheme == "rediss" ? host : null,

            // Redis is never on a client's path: commands fail at once while disconnected instead of queueing,
            // the client keeps reconnecting in the background, and start-up does not wait for Redis.
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 2000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
            ConnectRetry = 1,
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
        };

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            var password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (password is null)
            {
                // redis://secret@host is how many tools write a password without a user.
                options.Password = user;
            }
            else
            {
                options.User = user.Length > 0 ? user : null;
                options.Password = password;
            }
        }

        return true;
    }

    /// <summary>The URL with its password replaced by <c>***</c>, for messages and logs.</summary>
    public static string Redact(string? url)
    {
        if (url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.UserInfo.Length == 0)
        {
            return url ?? "";
        }

        var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
        var masked = colon < 0 ? "***" : uri.UserInfo[..colon] + ":***";
        return url.Replace(uri.UserInfo + "@", masked + "@", StringComparison.Ordinal);
    }
}
