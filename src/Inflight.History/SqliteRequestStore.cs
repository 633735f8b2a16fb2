using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Inflight.History;

/// <summary>The default store: one SQLite file, in WAL mode so reads never wait for the writer.</summary>
public sealed class SqliteRequestStore(string connectionString) : SqlRequestStore
{
    private static readonly string[][] Schema =
    [
        [
            "CREATE TABLE inflight_requests (id INTEGER PRIMARY KEY AUTOINCREMENT, request_id TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, "
            + "requested_model TEXT NOT NULL, qualified_model TEXT NOT NULL, is_streaming INTEGER NOT NULL, status TEXT NOT NULL, status_code INTEGER, "
            + "error_type TEXT, error_message TEXT, start_time REAL NOT NULL, end_time REAL NOT NULL, duration_ms REAL NOT NULL, ttft_ms REAL, "
            + "input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL, "
            + "tokens_estimated INTEGER NOT NULL, tool_uses INTEGER NOT NULL, tool_results INTEGER NOT NULL, tool_calls INTEGER NOT NULL, "
            + "request_size INTEGER NOT NULL, message_count INTEGER NOT NULL, client_format TEXT NOT NULL, upstream_format TEXT NOT NULL, "
            + "translation_notes TEXT NOT NULL)",
            "CREATE INDEX inflight_requests_end_time ON inflight_requests (end_time)",
            "CREATE INDEX inflight_requests_start_time ON inflight_requests (start_time)",
        ],
        ClientAttributionColumns,
        InstanceColumns,
        ReplicaColumn,
    ];

    protected override IReadOnlyList<string[]> Migrations => Schema;

    // Rows are at or after @from, so truncation is the floor.
    protected override string BucketExpression => "CAST((start_time - @from) / @step AS INTEGER)";

    protected override DbConnection CreateConnection() => new SqliteConnection(connectionString);

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        // WAL lets the dashboard read while the writer writes; it is a property of the file, set once.
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA busy_timeout = 5000";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts the file in WAL mode (outside any transaction, as SQLite requires).</summary>
    public async Task UseWriteAheadLogAsync(CancellationToken cancellationToken)
    {
        await using var connection = CreateConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}
