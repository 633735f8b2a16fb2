namespace Inflight.History;

public static class HistoryStores
{
    /// <summary>The store <paramref name="location"/> names; null for <see cref="StoreKind.None"/>.</summary>
    public static SqlRequestStore? Create(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Kind switch
        {
            StoreKind.Sqlite => new SqliteRequestStore(location.ConnectionString),
            StoreKind.Postgres => new PostgresRequestStore(location.ConnectionString),
            _ => null,
        };
    }
}
