using System.Data.Common;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>
/// Schedules and fires in the mailbox's tables (SQLite or PostgreSQL), written through the mailbox writer so that a fire's claim, its
/// delivery row and its message are one transaction. Every state change is a conditional UPDATE or an INSERT … ON
/// CONFLICT DO NOTHING whose row count says who won — never a read followed by a write — so two writers (two hubs
/// on PostgreSQL) cannot both plan, claim or deliver the same fire.
/// </summary>
public sealed class ScheduleStore(MailboxDatabase database)
{
    private const string Columns = "id, agent_id, cron, every_ms, mode, catch_up, payload, channel, lease_ms, next_fire, created_at";

    public Task CreateAsync(ScheduleDefinition s, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        batch.Command($"INSERT INTO agent_schedules ({Columns}) VALUES (@id, @agent, @cron, @every, @mode, @catch, @payload, @channel, @lease, @next, @created)")
            .Set("@id", s.Id).Set("@agent", s.AgentId).Set("@cron", s.Cron).Set("@every", s.EveryMs).Set("@mode", s.Mode).Set("@catch", s.CatchUp)
            .Set("@payload", s.Payload).Set("@channel", s.Channel).Set("@lease", s.LeaseMs).Set("@next", s.NextFire.ToUnixTimeMilliseconds())
            .Set("@created", s.CreatedAt.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        return true;
    }, cancellationToken);

    /// <summary>Ends a schedule (or every schedule of the agent when <paramref name="id"/> is null); its fire history stays.</summary>
    public Task<int> DeleteAsync(string agentId, string? id, CancellationToken cancellationToken) => database.WriteAsync(batch =>
        batch.Command("UPDATE agent_schedules SET deleted_at = @now WHERE agent_id = @agent AND (CAST(@id AS TEXT) IS NULL OR id = @id) AND deleted_at IS NULL")
            .Set("@now", batch.NowUnixMs).Set("@agent", agentId).Set("@id", id).ExecuteNonQuery(), cancellationToken);

    public Task<bool> IdUsedAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT 1 FROM agent_schedules WHERE id = @id").With("id", id);
            return await command.ExecuteScalarAsync(ct) is not null;
        }, cancellationToken);

    public Task<IReadOnlyList<ScheduleDefinition>> ListAsync(string? agentId, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {Columns} FROM agent_schedules WHERE deleted_at IS NULL AND (CAST(@agent AS TEXT) IS NULL OR agent_id = @agent) ORDER BY id",
            c => c.With("agent", agentId), Read, cancellationToken);

    public Task<IReadOnlyList<ScheduleDefinition>> DueAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {Columns} FROM agent_schedules WHERE deleted_at IS NULL AND next_fire <= @now ORDER BY next_fire",
            c => c.With("now", now.ToUnixTimeMilliseconds()), Read, cancellationToken);

    /// <summary>
    /// Plans fires and moves next_fire from <paramref name="expectedNext"/>, in one transaction; false when another
    /// writer moved it first. A cluster fire is delivered here to <paramref name="clusterRecipients"/>.
    /// </summary>
    public Task<bool> PlanAsync(ScheduleDefinition s, DateTimeOffset expectedNext, IReadOnlyList<(DateTimeOffset FireTime, bool CatchUp)> fires, DateTimeOffset? next,
        IReadOnlyList<string> clusterRecipients, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var moved = batch.Command("UPDATE agent_schedules SET next_fire = @next, deleted_at = CASE WHEN @next IS NULL THEN @now ELSE deleted_at END WHERE id = @id AND next_fire = @expected AND deleted_at IS NULL")
            .Set("@next", next?.ToUnixTimeMilliseconds()).Set("@now", batch.NowUnixMs).Set("@id", s.Id).Set("@expected", expectedNext.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        if (moved == 0)
            return false;
        foreach (var (fireTime, catchUp) in fires)
        {
            var state = s.Mode == ScheduleModes.Single ? FireStates.Open : clusterRecipients.Count == 0 ? FireStates.NoReplica : FireStates.Delivered;
            var inserted = batch.Command("INSERT INTO schedule_fires (schedule_id, fire_time, catch_up, state, created_at) VALUES (@s, @f, @c, @state, @now) ON CONFLICT (schedule_id, fire_time) DO NOTHING")
                .Set("@s", s.Id).Set("@f", fireTime.ToUnixTimeMilliseconds()).Set("@c", catchUp ? 1 : 0).Set("@state", state).Set("@now", batch.NowUnixMs).ExecuteNonQuery();
            if (inserted == 1 && s.Mode == ScheduleModes.Cluster)
            {
                foreach (var recipient in clusterRecipients)
                    Deliver(batch, s, fireTime, recipient);
            }
        }

        return true;
    }, cancellationToken);

    /// <summary>single fires waiting for a replica: open ones, and claimed ones whose lease ran out unacked.</summary>
    public Task<IReadOnlyList<FireRecord>> ClaimableAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        FiresAsync("f.state = 'open' OR (f.state = 'claimed' AND f.lease_until < @now)", c => c.With("now", now.ToUnixTimeMilliseconds()), 500, cancellationToken);

    public Task<IReadOnlyList<FireRecord>> RecentFiresAsync(string scheduleId, int limit, CancellationToken cancellationToken) =>
        FiresAsync("f.schedule_id = @id", c => c.With("id", scheduleId), limit, cancellationToken);

    /// <summary>
    /// Claims the fire for <paramref name="replica"/> if it is still open or its lease ran out, and delivers it: the
    /// claim, the delivery row (one per fire and replica: never twice to the same one) and the message are one
    /// transaction. False when another writer claimed it first or the replica already had it.
    /// </summary>
    public Task<bool> ClaimAsync(ScheduleDefinition s, DateTimeOffset fireTime, string replica, DateTimeOffset now, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var claimed = batch.Command("""
            UPDATE schedule_fires SET state = 'claimed', replica = @r, lease_until = @until, attempts = attempts + 1
            WHERE schedule_id = @s AND fire_time = @f AND (state = 'open' OR (state = 'claimed' AND lease_until < @now))
              AND NOT EXISTS (SELECT 1 FROM schedule_deliveries d WHERE d.schedule_id = @s AND d.fire_time = @f AND d.replica = @r)
            """).Set("@r", replica).Set("@until", now.ToUnixTimeMilliseconds() + s.LeaseMs).Set("@s", s.Id).Set("@f", fireTime.ToUnixTimeMilliseconds())
            .Set("@now", now.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        if (claimed == 0)
            return false;
        var messageId = Deliver(batch, s, fireTime, replica);
        batch.Command("UPDATE schedule_fires SET message_id = @m WHERE schedule_id = @s AND fire_time = @f")
            .Set("@m", messageId).Set("@s", s.Id).Set("@f", fireTime.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        return true;
    }, cancellationToken);

    /// <summary>Marks claimed fires whose message was acked; returns how many.</summary>
    /// <remarks>
    /// Looked up per claimed fire (a correlated lookup by primary key): "message_id IN (SELECT id ... WHERE status = 1)"
    /// let PostgreSQL scan every delivered message each second, ≈ 40 ms per run on a mailbox of 10^5 messages.
    /// </remarks>
    public Task<int> RecordAcksAsync(CancellationToken cancellationToken) => database.WriteAsync(batch =>
        batch.Command("""
            UPDATE schedule_fires SET state = 'acked', done_at = @now
            WHERE state = 'claimed' AND (SELECT m.status FROM mailbox_messages m WHERE m.id = schedule_fires.message_id) = 1
            """).Set("@now", batch.NowUnixMs).ExecuteNonQuery(), cancellationToken);

    /// <summary>When the hub last said it was running (null on a first start), and now says so again.</summary>
    public Task<DateTimeOffset?> MarkAliveAsync(DateTimeOffset now, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        DateTimeOffset? previous = batch.Command("SELECT alive_at FROM schedule_clock WHERE id = 1").ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        batch.Command("INSERT INTO schedule_clock (id, alive_at) VALUES (1, @t) ON CONFLICT (id) DO UPDATE SET alive_at = @t").Set("@t", now.ToUnixTimeMilliseconds()).ExecuteNonQuery();
        return previous;
    }, cancellationToken);

    // The message carries the fire's key for the agent, but the mailbox's own de-duplication (per sender and key) is
    // not used: a redelivery to another replica must arrive. schedule_deliveries is what prevents a second copy.
    private static long Deliver(WriteBatch batch, ScheduleDefinition s, DateTimeOffset fireTime, string replica)
    {
        var inserted = batch.Command("INSERT INTO schedule_deliveries (schedule_id, fire_time, replica, message_id, delivered_at) VALUES (@s, @f, @r, 0, @now) ON CONFLICT DO NOTHING")
            .Set("@s", s.Id).Set("@f", fireTime.ToUnixTimeMilliseconds()).Set("@r", replica).Set("@now", batch.NowUnixMs).ExecuteNonQuery();
        if (inserted == 0)
            return 0;
        var result = MessageStore.Send(batch, new NewMessage(s.Sender, [replica], null, null, s.Channel, s.Payload, PayloadKind.Text, null));
        var id = (long)result.MessageIds[0];
        var key = s.Key(fireTime);
        batch.Command("UPDATE mailbox_messages SET idempotency_key = @k WHERE id = @id").Set("@k", key).Set("@id", id).ExecuteNonQuery();
        batch.Stored[^1].IdempotencyKey = key;
        batch.Command("UPDATE schedule_deliveries SET message_id = @m WHERE schedule_id = @s AND fire_time = @f AND replica = @r")
            .Set("@m", id).Set("@s", s.Id).Set("@f", fireTime.ToUnixTimeMilliseconds()).Set("@r", replica).ExecuteNonQuery();
        return id;
    }

    /// <summary>Per run, the newest fire of the agent's live schedules delivered to it: one query for the whole agent.</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> LastFireByRunAsync(string agentId, CancellationToken cancellationToken)
    {
        var rows = await database.QueryAsync("""
            SELECT d.replica, max(d.fire_time) FROM schedule_deliveries d JOIN agent_schedules s ON s.id = d.schedule_id
            WHERE s.agent_id = @agent AND s.deleted_at IS NULL GROUP BY d.replica
            """, c => c.With("agent", agentId), r => (Run: r.GetString(0), At: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1))), cancellationToken);
        return rows.ToDictionary(r => r.Run, r => r.At, StringComparer.Ordinal);
    }

    private Task<IReadOnlyList<FireRecord>> FiresAsync(string where, Action<DbCommand> bind, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync($"""
            SELECT f.schedule_id, f.fire_time, f.catch_up, f.state, f.replica, f.message_id, f.lease_until, f.attempts,
                   (SELECT string_agg(d.replica, ',') FROM schedule_deliveries d WHERE d.schedule_id = f.schedule_id AND d.fire_time = f.fire_time)
            FROM schedule_fires f WHERE {where} ORDER BY f.fire_time DESC LIMIT {limit}
            """, bind, r => new FireRecord(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetInt64(2) == 1, r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetInt64(5), r.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
            (int)r.GetInt64(7), r.IsDBNull(8) ? [] : r.GetString(8).Split(',')), cancellationToken);

    private static ScheduleDefinition Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2),
        r.IsDBNull(3) ? null : r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt64(8),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)));
}
