using System.Data.Common;
using System.Globalization;
using Inflight.Tracking;
using Npgsql;
using NpgsqlTypes;

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

    // Binary COPY sends each value in its column's own wire format (the server casts an INSERT parameter, not
    // these), so the non-TEXT columns of the schema above are listed here with their exact types.
    private static readonly Dictionary<string, NpgsqlDbType> ColumnTypes = new(StringComparer.Ordinal)
    {
        ["is_streaming"] = NpgsqlDbType.Integer,
        ["status_code"] = NpgsqlDbType.Integer,
        ["start_time"] = NpgsqlDbType.Double,
        ["end_time"] = NpgsqlDbType.Double,
        ["duration_ms"] = NpgsqlDbType.Double,
        ["ttft_ms"] = NpgsqlDbType.Double,
        ["input_tokens"] = NpgsqlDbType.Bigint,
        ["output_tokens"] = NpgsqlDbType.Bigint,
        ["cache_read_tokens"] = NpgsqlDbType.Bigint,
        ["cache_creation_tokens"] = NpgsqlDbType.Bigint,
        ["tokens_estimated"] = NpgsqlDbType.Integer,
        ["tool_uses"] = NpgsqlDbType.Integer,
        ["tool_results"] = NpgsqlDbType.Integer,
        ["tool_calls"] = NpgsqlDbType.Integer,
        ["request_size"] = NpgsqlDbType.Bigint,
        ["message_count"] = NpgsqlDbType.Integer,
        ["upstream_status"] = NpgsqlDbType.Integer,
        ["instance_seq"] = NpgsqlDbType.Bigint,
    };

    /// <summary>Each written column's type, in <see cref="SqlRequestStore.ColumnNames"/> order; every other column is TEXT.</summary>
    private static readonly NpgsqlDbType[] CopyTypes = [.. ColumnNames.Select(c => ColumnTypes.GetValueOrDefault(c, NpgsqlDbType.Text))];

    private static readonly string CopySql = "COPY inflight_requests (" + string.Join(", ", ColumnNames) + ") FROM STDIN (FORMAT BINARY)";

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

    /// <summary>
    /// The batch as one binary COPY in the caller's transaction: unlike a batch of INSERTs the server neither parses
    /// nor plans a statement per row. The table has no constraint besides the generated id, so a row written twice
    /// is stored twice, as with INSERT.
    /// </summary>
    protected override async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);

        // Disposed without CompleteAsync (an error or cancellation part-way), the importer cancels the COPY; the
        // caller's transaction then rolls back, so a batch is still all or nothing.
        await using var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(CopySql, cancellationToken).ConfigureAwait(false);
        for (var row = 0; row < batch.Count; row++)
        {
            var values = RowValues(batch, origin, row);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < values.Length; i++)
            {
                await WriteValueAsync(importer, values[i], CopyTypes[i], cancellationToken).ConfigureAwait(false);
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteValueAsync(NpgsqlBinaryImporter importer, object? value, NpgsqlDbType type, CancellationToken cancellationToken) => value is null
        ? importer.WriteNullAsync(cancellationToken)
        : type switch
        {
            NpgsqlDbType.Integer => importer.WriteAsync(Convert.ToInt32(value, CultureInfo.InvariantCulture), type, cancellationToken),
            NpgsqlDbType.Bigint => importer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), type, cancellationToken),
            NpgsqlDbType.Double => importer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), type, cancellationToken),
            _ => importer.WriteAsync((string)value, type, cancellationToken),
        };

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
