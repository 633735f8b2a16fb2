using System.Data.Common;
using Npgsql;

namespace Inflight.History;

/// <summary>A shared PostgreSQL database, for teams running several Inflight instances.</summary>
public sealed class PostgresRequestStore(string connectionString) : SqlRequestStore
{
    // Any constant; every Inflight instance takes the same advisory lock while migrating.
    private const long MigrationLockKey = 0x1F11_6A7E;

    private static readonly string[][] Schema =
    [
        [
            "CREATE TABLE inflight_requests (id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, "
            + "requested_model TEXT NOT NULL, qualified_model TEXT NOT NULL, is_streaming INTEGER NOT NULL, status TEXT NOT NULL, status_code INTEGER, "
            + "error_type TEXT, error_message TEXT, start_time DOUBLE PRECISION NOT NULL, end_time DOUBLE PRECISION NOT NULL, "
            + "duration_ms DOUBLE PRECISION NOT NULL, ttft_ms DOUBLE PRECISION, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, "
            + "cache_read_tokens BIGINT NOT NULL, cache_creation_tokens BIGINT NOT NULL, tokens_estimated INTEGER NOT NULL, tool_uses INTEGER NOT NULL, "
            + "tool_results INTEGER NOT NULL, tool_calls INTEGER NOT NULL, request_size BIGINT NOT NULL, message_count INTEGER NOT NULL, "
            + "client_format TEXT NOT NULL, upstream_format TEXT NOT NULL, translation_notes TEXT NOT NULL)",
            "CREATE INDEX inflight_requests_end_time ON inflight_requests (end_time)",
            "CREATE INDEX inflight_requests_start_time ON inflight_requests (start_time)",
        ],
        ClientAttributionColumns,
        InstanceColumns,
        ReplicaColumn,
    ];

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    protected override IReadOnlyList<string[]> Migrations => Schema;

    // A cast alone would round; FLOOR keeps a row in the bucket it started in.
    protected override string BucketExpression => "CAST(FLOOR((start_time - @from) / @step) AS BIGINT)";

    protected override DbConnection CreateConnection() => _dataSource.CreateConnection();

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT pg_advisory_xact_lock(" + MigrationLockKey + ")";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
