namespace Inflight.History;

/// <summary>Which store <c>INFLIGHT_DATABASE_URL</c> names.</summary>
public enum StoreKind
{
    None,
    Sqlite,
    Postgres,
}

/// <summary>
/// A parsed <c>INFLIGHT_DATABASE_URL</c>: <c>none</c>, <c>sqlite:path</c> (relative to the working
/// directory) or <c>postgres://user:pass@host:port/db</c>. <see cref="Display"/> never shows the password.
/// </summary>
public sealed record StoreLocation(StoreKind Kind, string ConnectionString, string Display)
{
    public const string Default = "sqlite:inflight.db";

    public static StoreLocation None { get; } = new(StoreKind.None, "", "none");

    /// <summary>Parses a URL; returns false with a message naming what is accepted.</summary>
    public static bool TryParse(string? url, out StoreLocation location, out string? error)
    {
        location = None;
        error = null;
        var value = string.IsNullOrWhiteSpace(url) ? Default : url.Trim();
        if (value.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            if (path.Length == 0)
            {
                error = "a sqlite: URL needs a file path, e.g. sqlite:inflight.db";
                return false;
            }

            var full = Path.GetFullPath(path);
            location = new StoreLocation(StoreKind.Sqlite, "Data Source=" + full + ";Pooling=True", "sqlite:" + full);
            return true;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "postgres" or "postgresql")
        {
            var database = uri.AbsolutePath.Trim('/');
            if (uri.Host.Length == 0 || database.Length == 0)
            {
                error = "a postgres:// URL needs a host and a database, e.g. postgres://user:pass@host:5432/inflight";
                return false;
            }

            var builder = new Npgsql.NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
                Database = Uri.UnescapeDataString(database),
            };
            var userInfo = uri.UserInfo.Split(':', 2);
            if (userInfo[0].Length > 0)
            {
                builder.Username = Uri.UnescapeDataString(userInfo[0]);
            }

            if (userInfo.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[1]);
            }

            location = new StoreLocation(StoreKind.Postgres, builder.ConnectionString, $"postgres://{builder.Host}:{builder.Port}/{builder.Database}");
            return true;
        }

        error = "expected 'none', 'sqlite:path' or 'postgres://user:pass@host:port/db'";
        return false;
    }
}
