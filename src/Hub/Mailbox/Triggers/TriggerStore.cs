using System.Data.Common;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>
/// Time triggers on the mailbox tables (SQLite or PostgreSQL). A firing is a conditional UPDATE from the due time it
/// fires for to the next one, and its message is stored in the same transaction only when that UPDATE changed the
/// row: two hubs firing one trigger at once deliver it once.
/// </summary>
public sealed class TriggerStore(MailboxDatabase database) : ITriggerStore
{
    private const string TriggerColumns = "id, actor_id, created_by, cron, next_due, message, channel, run_id, status, fire_count, last_fired, created_at";

    public Task<TimeTrigger> AddTriggerAsync(NewTrigger trigger, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var id = Convert.ToInt64(batch.Command(
                "INSERT INTO mailbox_triggers (actor_id, created_by, cron, next_due, message, channel, run_id, status, created_at) "
                + "VALUES (@actor, @by, @cron, @due, @message, @channel, @run, 'active', @at) RETURNING id")
            .Set("@actor", trigger.ActorId).Set("@by", trigger.CreatedBy).Set("@cron", trigger.Cron)
            .Set("@due", trigger.FirstDue.ToUnixTimeMilliseconds()).Set("@message", trigger.Message)
            .Set("@channel", trigger.Channel).Set("@run", trigger.RunId).Set("@at", batch.NowUnixMs)
            .ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return LoadTrigger(batch, (ulong)id)!;
    }, cancellationToken);

    public Task<TimeTrigger?> GetTriggerAsync(ulong triggerId, CancellationToken cancellationToken) =>
        database.QueryFirstAsync($"SELECT {TriggerColumns} FROM mailbox_triggers WHERE id = @id", command => command.With("id", (long)triggerId), ReadTrigger, cancellationToken);

    public Task<IReadOnlyList<TimeTrigger>> ListTriggersAsync(string? actorId, bool includeInactive, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {TriggerColumns} FROM mailbox_triggers WHERE (CAST(@actor AS TEXT) IS NULL OR actor_id = @actor)" + (includeInactive ? string.Empty : " AND status = 'active'") + " ORDER BY id",
            command => command.Set("@actor", actorId), ReadTrigger, cancellationToken);

    public Task<TimeTrigger> CancelTriggerAsync(ulong triggerId, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var trigger = LoadTrigger(batch, triggerId)
            ?? throw new MailboxException(MailboxError.NotFound, $"time trigger {triggerId} does not exist. List them with 'actor time-trigger-list'.");
        if (trigger.Status != TriggerStatus.Active)
            throw new MailboxException(MailboxError.FailedPrecondition, $"time trigger {triggerId} is already {trigger.Status}.");
        batch.Command("UPDATE mailbox_triggers SET status = 'cancelled', next_due = NULL WHERE id = @id").Set("@id", (long)triggerId).ExecuteNonQuery();
        return LoadTrigger(batch, triggerId)!;
    }, cancellationToken);

    public Task<IReadOnlyList<TimeTrigger>> DueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {TriggerColumns} FROM mailbox_triggers WHERE status = 'active' AND next_due <= @now ORDER BY next_due, id LIMIT @limit",
            command => command.Set("@now", now.ToUnixTimeMilliseconds()).Set("@limit", limit), ReadTrigger, cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<DateTimeOffset?>(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT min(next_due) FROM mailbox_triggers WHERE status = 'active'");
            var value = await command.ExecuteScalarAsync(ct);
            return value is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }, cancellationToken);

    public Task<bool> FireTriggerAsync(ulong triggerId, long dueUnixMs, long? nextDueUnixMs, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var trigger = LoadTrigger(batch, triggerId);
        if (trigger is null || trigger.Status != TriggerStatus.Active || trigger.NextDueUnixMs != dueUnixMs)
            return false;
        // The table, not this hub's directory in memory: another hub may have created the actor since this one loaded it.
        if (batch.Command("SELECT 1 FROM mailbox_actors WHERE id = @actor").Set("@actor", trigger.ActorId).ExecuteScalar() is null)
        {
            // The actor was deleted: its triggers end with it instead of filling a mailbox nobody owns.
            batch.Command("UPDATE mailbox_triggers SET status = 'cancelled', next_due = NULL WHERE id = @id AND status = 'active' AND next_due = @due")
                .Set("@id", (long)triggerId).Set("@due", dueUnixMs).ExecuteNonQuery();
            return false;
        }

        // The claim is this UPDATE's row count, not the read above: only the writer that moves the trigger from this due
        // time delivers it, whatever else writes the table (another hub).
        var claimed = batch.Command("UPDATE mailbox_triggers SET fire_count = fire_count + 1, last_fired = @now, next_due = @next, status = @status WHERE id = @id AND status = 'active' AND next_due = @due")
            .Set("@now", batch.NowUnixMs).Set("@next", nextDueUnixMs)
            .Set("@status", nextDueUnixMs is null ? TriggerStatus.Done : TriggerStatus.Active).Set("@id", (long)triggerId).Set("@due", dueUnixMs)
            .ExecuteNonQuery();
        if (claimed == 0)
            return false;

        // The key makes a second delivery of this due time impossible even if the trigger row were restored from a backup.
        MessageStore.Send(batch, new NewMessage(trigger.CreatedBy, [trigger.ActorId], null, MailboxInput.NullIfEmpty(trigger.RunId), trigger.Channel,
            trigger.Message, PayloadKind.Text, $"trigger:{triggerId}:{dueUnixMs}"));
        return true;
    }, cancellationToken);

    private static TimeTrigger? LoadTrigger(WriteBatch batch, ulong id)
    {
        using var reader = batch.Command($"SELECT {TriggerColumns} FROM mailbox_triggers WHERE id = @id").Set("@id", (long)id).ExecuteReader();
        return reader.Read() ? ReadTrigger(reader) : null;
    }

    private static TimeTrigger ReadTrigger(DbDataReader reader) => new()
    {
        Id = (ulong)reader.GetInt64(0),
        ActorId = reader.GetString(1),
        CreatedBy = reader.GetString(2),
        Cron = reader.IsDBNull(3) ? string.Empty : reader.GetString(3),
        NextDueUnixMs = reader.IsDBNull(4) ? 0 : reader.GetInt64(4),
        Message = reader.GetString(5),
        Channel = reader.GetString(6),
        RunId = reader.IsDBNull(7) ? string.Empty : reader.GetString(7),
        Status = reader.GetString(8),
        FireCount = (uint)reader.GetInt64(9),
        LastFiredUnixMs = reader.IsDBNull(10) ? 0 : reader.GetInt64(10),
        CreatedAtUnixMs = reader.GetInt64(11),
    };
}
