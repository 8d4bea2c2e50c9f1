using Mesh.Hub.Storage;

namespace Mesh.Hub.Audit;

/// <summary>The audit log in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class AuditLog(IHubDatabase database, TimeProvider time) : IAuditLog
{
    public async Task RecordAsync(string actor, string action, string? target, string? source, string? details, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO audit_log (at, actor, action, target, source, details) VALUES (@at, @actor, @action, @target, @source, @details)")
            .With("at", time.GetUtcNow()).With("actor", actor).With("action", action)
            .With("target", target).With("source", source).With("details", details);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? beforeId, AuditFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Only the parts the filter sets become conditions: PostgreSQL cannot type a bare NULL parameter in "@p IS NULL".
        var where = new System.Text.StringBuilder("id < @before");
        await using var command = connection.Command("");
        command.With("before", beforeId ?? long.MaxValue).With("limit", limit);
        void Condition(string sql, string name, object? value)
        {
            if (value is null)
                return;
            where.Append(" AND ").Append(sql);
            command.With(name, value);
        }

        Condition("actor = @by", "by", filter.By);
        Condition("action = @action", "action", filter.Action);
        Condition("target = @target", "target", filter.Target);
        Condition("at >= @since", "since", filter.Since);
        Condition("at < @until", "until", filter.Until);
        command.CommandText = $"SELECT id, at, actor, action, target, source, details FROM audit_log WHERE {where} ORDER BY id DESC LIMIT @limit";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetTime(1), reader.GetString(2), reader.GetString(3),
                reader.GetStringOrNull(4), reader.GetStringOrNull(5), reader.GetStringOrNull(6)));
        }

        return entries;
    }
}
