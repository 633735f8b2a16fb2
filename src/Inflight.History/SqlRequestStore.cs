using System.Data.Common;
using System.Globalization;
using System.Text;
using Inflight.Tracking;

namespace Inflight.History;

/// <summary>
/// The SQL both stores share: plain ADO.NET with named parameters that SQLite and PostgreSQL both read.
/// Subclasses supply the connection, the versioned schema (their DDL differs) and the migration lock.
/// </summary>
public abstract class SqlRequestStore : IRequestStore
{
    protected const string Columns =
        "request_id, provider, model, requested_model, qualified_model, is_streaming, status, status_code, error_type, error_message, "
        + "start_time, end_time, duration_ms, ttft_ms, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, "
        + "tokens_estimated, tool_uses, tool_results, tool_calls, request_size, message_count, client_format, upstream_format, translation_notes, "
        + "client_name, client_version, session_id, user_id, key_label, cancelled_by, client_address, user_agent, upstream_status, replica";

    /// <summary>Schema version 2 (both dialects): who sent the request.</summary>
    protected static readonly string[] ClientAttributionColumns =
    [
        "ALTER TABLE inflight_requests ADD COLUMN client_name TEXT NOT NULL DEFAULT 'unknown'",
        "ALTER TABLE inflight_requests ADD COLUMN client_version TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN session_id TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN user_id TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN key_label TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN cancelled_by TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN client_address TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN user_agent TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN upstream_status INTEGER",
    ];

    /// <summary>Schema version 3 (both dialects): which process run wrote a row, and its place in that run's order.</summary>
    protected static readonly string[] InstanceColumns =
    [
        "ALTER TABLE inflight_requests ADD COLUMN instance_id TEXT",
        "ALTER TABLE inflight_requests ADD COLUMN instance_seq BIGINT",
    ];

    /// <summary>Schema version 4 (both dialects): the cluster replica that served the request (<c>REDIS_URL</c>); null otherwise.</summary>
    protected static readonly string[] ReplicaColumn =
    [
        "ALTER TABLE inflight_requests ADD COLUMN replica TEXT",
    ];

    /// <summary>Every column a write fills, in <see cref="RowValues"/> order: <see cref="Columns"/>, then the instance columns.</summary>
    protected static IReadOnlyList<string> ColumnNames { get; } = (Columns + ", instance_id, instance_seq").Split(", ");

    private static readonly string InsertSql =
        "INSERT INTO inflight_requests (" + string.Join(", ", ColumnNames) + ") VALUES (" + string.Join(", ", ColumnNames.Select(c => "@" + c)) + ")";

    /// <summary>Schema versions in order: element <c>i</c> holds the statements that bring version <c>i</c> to <c>i + 1</c>.</summary>
    protected abstract IReadOnlyList<string[]> Migrations { get; }

    protected abstract DbConnection CreateConnection();

    /// <summary>Serializes concurrent migrations (two instances starting at once) inside <paramref name="transaction"/>.</summary>
    protected abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS inflight_schema (version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        var version = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        if (version > Migrations.Count)
        {
            throw new InvalidOperationException($"The database's history schema is version {version}, newer than this Inflight knows ({Migrations.Count}).");
        }

        for (var next = version; next < Migrations.Count; next++)
        {
            foreach (var statement in Migrations[next])
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }
        }

        if (version < Migrations.Count)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM inflight_schema", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, "INSERT INTO inflight_schema (version) VALUES (" + Migrations.Count.ToString(CultureInfo.InvariantCulture) + ")", cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, CancellationToken cancellationToken) => WriteAsync(batch, null, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await InsertRowsAsync(connection, transaction, batch, origin, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Inserts the batch's rows inside <paramref name="transaction"/> (the caller commits). By default one prepared
    /// INSERT rebound per row, which suits an in-process database (SQLite: no round trips).
    /// </summary>
    protected virtual async Task InsertRowsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(batch);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql;
        var parameters = new DbParameter[ColumnNames.Count];
        for (var i = 0; i < ColumnNames.Count; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = "@" + ColumnNames[i];
            command.Parameters.Add(parameters[i]);
        }

        for (var row = 0; row < batch.Count; row++)
        {
            var values = RowValues(batch, origin, row);
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<int> PruneAsync(double endedBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM inflight_requests WHERE end_time < @before";
        AddParameter(command, "@before", endedBefore);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredRequest>> ReadLogsAsync(StoredLogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT id, ").Append(Columns).Append(" FROM inflight_requests WHERE 1 = 1");
        if (query.BeforeId is { } before)
        {
            sql.Append(" AND id < @before");
            AddParameter(command, "@before", before);
        }

        if (query.Provider is { } provider)
        {
            sql.Append(" AND provider = @provider");
            AddParameter(command, "@provider", provider);
        }

        if (query.Model is { } model)
        {
            sql.Append(" AND (model = @model OR requested_model = @model OR qualified_model = @model)");
            AddParameter(command, "@model", model);
        }

        if (query.Status is { } status)
        {
            sql.Append(" AND status = @status");
            AddParameter(command, "@status", status);
        }

        if (query.ErrorType is { } errorType)
        {
            sql.Append(" AND error_type = @error_type");
            AddParameter(command, "@error_type", errorType);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit");
        AddParameter(command, "@limit", Math.Max(0, query.Limit));
        command.CommandText = sql.ToString();
        var list = new List<StoredRequest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new StoredRequest(reader.GetInt64(0), ReadEntry(reader, 1)));
        }

        return list;
    }

    public Task<StoredTotals> ReadTotalsAsync(double? since, double? until, CancellationToken cancellationToken)
        => ReadTotalsAsync(since, until, null, cancellationToken);

    public async Task<StoredTotals> ReadTotalsAsync(double? since, double? until, TotalsExclusion? exclude, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var range = new StringBuilder(" WHERE 1 = 1");
        if (since is { } from)
        {
            range.Append(" AND start_time >= @since");
            AddParameter(command, "@since", from);
        }

        if (until is { } to)
        {
            range.Append(" AND start_time < @until");
            AddParameter(command, "@until", to);
        }

        if (exclude is not null)
        {
            // Rows written before schema 3 have no instance: they are never this instance's.
            range.Append(" AND (instance_id IS NULL OR instance_id <> @instance OR instance_seq <= @after_seq)");
            AddParameter(command, "@instance", exclude.InstanceId);
            AddParameter(command, "@after_seq", exclude.AfterSequence);
        }

        command.CommandText =
            "SELECT provider, model, is_streaming, COUNT(*), SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END), SUM(input_tokens), SUM(output_tokens), "
            + "SUM(cache_read_tokens), SUM(cache_creation_tokens), SUM(duration_ms), MIN(start_time), "
            + "SUM(tool_uses), SUM(tool_results), SUM(tool_calls), COUNT(ttft_ms), SUM(ttft_ms) FROM inflight_requests" + range
            + " GROUP BY provider, model, is_streaming ORDER BY provider, model, is_streaming";
        var models = new List<StoredModelTotals>();
        double? first = null;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            models.Add(new StoredModelTotals(
                reader.GetString(0),
                reader.GetString(1),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture) != 0,
                Long(reader, 3),
                Long(reader, 4),
                Long(reader, 5),
                Long(reader, 6),
                Long(reader, 7),
                Long(reader, 8),
                Convert.ToDouble(reader.GetValue(9), CultureInfo.InvariantCulture),
                Long(reader, 11),
                Long(reader, 12),
                Long(reader, 13),
                Long(reader, 14),
                reader.IsDBNull(15) ? 0 : Convert.ToDouble(reader.GetValue(15), CultureInfo.InvariantCulture)));
            var start = Convert.ToDouble(reader.GetValue(10), CultureInfo.InvariantCulture);
            first = first is null ? start : Math.Min(first.Value, start);
        }

        return new StoredTotals(first, models);
    }

    /// <summary>The bucket index of a row, <c>⌊(start_time − @from) ÷ @step⌋</c>, as an integer in this dialect.</summary>
    protected abstract string BucketExpression { get; }

    public async Task<IReadOnlyList<StoredSeriesPoint>> ReadSeriesAsync(SeriesQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();

        // Nearest-rank percentiles with window functions both dialects have: the value at rank ⌈p·n⌉ of the
        // bucket's sorted values; ⌈n/2⌉ = (n + 1) / 2 and ⌈0.95·n⌉ = (95·n + 99) / 100 in integer arithmetic.
        command.CommandText =
            "WITH r AS (SELECT " + BucketExpression + " AS b, provider, model, status, input_tokens, output_tokens, duration_ms, ttft_ms "
            + "FROM inflight_requests WHERE start_time >= @from AND start_time < @until), "
            + "d AS (SELECT b, provider, model, duration_ms, ROW_NUMBER() OVER (PARTITION BY b, provider, model ORDER BY duration_ms) AS rn, "
            + "COUNT(*) OVER (PARTITION BY b, provider, model) AS n FROM r), "
            + "dp AS (SELECT b, provider, model, MAX(CASE WHEN rn = (n + 1) / 2 THEN duration_ms END) AS p50, "
            + "MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN duration_ms END) AS p95 FROM d GROUP BY b, provider, model), "
            + "t AS (SELECT b, provider, model, ttft_ms, ROW_NUMBER() OVER (PARTITION BY b, provider, model ORDER BY ttft_ms) AS rn, "
            + "COUNT(*) OVER (PARTITION BY b, provider, model) AS n FROM r WHERE ttft_ms IS NOT NULL), "
            + "tp AS (SELECT b, provider, model, MAX(CASE WHEN rn = (n + 1) / 2 THEN ttft_ms END) AS p50 FROM t GROUP BY b, provider, model), "
            + "a AS (SELECT b, provider, model, COUNT(*) AS requests, SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors, "
            + "SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens FROM r GROUP BY b, provider, model) "
            + "SELECT a.b, a.provider, a.model, a.requests, a.errors, a.input_tokens, a.output_tokens, dp.p50, dp.p95, tp.p50 FROM a "
            + "JOIN dp ON dp.b = a.b AND dp.provider = a.provider AND dp.model = a.model "
            + "LEFT JOIN tp ON tp.b = a.b AND tp.provider = a.provider AND tp.model = a.model "
            + "ORDER BY a.b, a.provider, a.model";
        AddParameter(command, "@from", query.From);
        AddParameter(command, "@until", query.Until);
        AddParameter(command, "@step", query.StepSeconds);
        var points = new List<StoredSeriesPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            points.Add(new StoredSeriesPoint(
                (int)Math.Min(Long(reader, 0), query.Buckets - 1),
                reader.GetString(1),
                reader.GetString(2),
                Long(reader, 3),
                Long(reader, 4),
                Long(reader, 5),
                Long(reader, 6),
                Convert.ToDouble(reader.GetValue(7), CultureInfo.InvariantCulture),
                Convert.ToDouble(reader.GetValue(8), CultureInfo.InvariantCulture),
                reader.IsDBNull(9) ? null : Convert.ToDouble(reader.GetValue(9), CultureInfo.InvariantCulture)));
        }

        return points;
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT MAX(version) FROM inflight_schema";
        try
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);
        }
        catch (DbException) when (transaction is null)
        {
            return 0;
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static long Long(DbDataReader reader, int ordinal)
        => reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>A row's values in <see cref="ColumnNames"/> order, the instance columns last; null for SQL NULL.</summary>
    protected static object?[] RowValues(IReadOnlyList<RequestLogEntry> batch, BatchOrigin? origin, int row)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var values = Values(batch[row]);
        var all = new object?[values.Length + 2];
        values.CopyTo(all, 0);
        all[^2] = origin?.InstanceId;
        all[^1] = origin is null ? null : origin.Sequences[row];
        return all;
    }

    private static object?[] Values(RequestLogEntry e) =>
    [
        e.RequestId, e.Provider, e.Model, e.RequestedModel, e.QualifiedModel, e.IsStreaming ? 1 : 0, e.Status, e.StatusCode, e.ErrorType, e.ErrorMessage,
        e.StartTime, e.EndTime, e.DurationMs, e.TtftMs, e.InputTokens, e.OutputTokens, e.CacheReadTokens, e.CacheCreationTokens,
        e.TokensEstimated ? 1 : 0, e.ToolUses, e.ToolResults, e.ToolCalls, e.RequestSize, e.MessageCount, e.ClientFormat, e.UpstreamFormat,
        string.Join('\n', e.TranslationNotes),
        e.ClientName, e.ClientVersion, e.SessionId, e.UserId, e.KeyLabel, e.CancelledBy, e.ClientAddress, e.UserAgent, e.UpstreamStatus,
        e.Replica,
    ];

    private static RequestLogEntry ReadEntry(DbDataReader r, int o)
    {
        string? NullableString(int i) => r.IsDBNull(o + i) ? null : r.GetString(o + i);
        long L(int i) => Convert.ToInt64(r.GetValue(o + i), CultureInfo.InvariantCulture);
        double D(int i) => Convert.ToDouble(r.GetValue(o + i), CultureInfo.InvariantCulture);
        var notes = r.GetString(o + 26);
        return new RequestLogEntry
        {
            RequestId = r.GetString(o),
            Provider = r.GetString(o + 1),
            Model = r.GetString(o + 2),
            RequestedModel = r.GetString(o + 3),
            QualifiedModel = r.GetString(o + 4),
            IsStreaming = L(5) != 0,
            Status = r.GetString(o + 6),
            StatusCode = r.IsDBNull(o + 7) ? null : (int)L(7),
            ErrorType = NullableString(8),
            ErrorMessage = NullableString(9),
            StartTime = D(10),
            EndTime = D(11),
            DurationMs = D(12),
            TtftMs = r.IsDBNull(o + 13) ? null : D(13),
            InputTokens = L(14),
            OutputTokens = L(15),
            CacheReadTokens = L(16),
            CacheCreationTokens = L(17),
            TokensEstimated = L(18) != 0,
            ToolUses = (int)L(19),
            ToolResults = (int)L(20),
            ToolCalls = (int)L(21),
            RequestSize = L(22),
            MessageCount = (int)L(23),
            ClientFormat = r.GetString(o + 24),
            UpstreamFormat = r.GetString(o + 25),
            TranslationNotes = notes.Length == 0 ? [] : notes.Split('\n'),
            ClientName = r.GetString(o + 27),
            ClientVersion = NullableString(28),
            SessionId = NullableString(29),
            UserId = NullableString(30),
            KeyLabel = NullableString(31),
            CancelledBy = NullableString(32),
            ClientAddress = NullableString(33),
            UserAgent = NullableString(34),
            UpstreamStatus = r.IsDBNull(o + 35) ? null : (int)L(35),
            Replica = NullableString(36),
        };
    }
}
