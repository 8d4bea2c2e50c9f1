using System.Data.Common;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Messages on the mailbox tables (SQLite or PostgreSQL): sends and acks through the mailbox writer (group commit),
/// reads on pooled connections. Every change is a conditional statement whose row count says who won, so a message
/// is handed out once even when two hubs claim the same inbox.
/// </summary>
public sealed class MessageStore(MailboxDatabase database) : IMessageStore
{
    private const string MessageColumns = "id, from_actor, to_actor, team_id, run_id, channel, payload, payload_kind, idempotency_key, created_at, status, delivered_at, conversation_id, affinity_notice";

    public Task<SendResult> SendAsync(NewMessage message, CancellationToken cancellationToken)
    {
        if (message.Recipients.Count == 0)
            throw new MailboxException(MailboxError.FailedPrecondition, "the message has no recipient");
        return database.WriteAsync(batch => Send(batch, message), cancellationToken);
    }

    public Task<IReadOnlyList<SendResult>> SendManyAsync(IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Any(m => m.Recipients.Count == 0))
            throw new MailboxException(MailboxError.FailedPrecondition, "a message has no recipient");
        return database.WriteAsync<IReadOnlyList<SendResult>>(batch => messages.Select(m => Send(batch, m)).ToArray(), cancellationToken);
    }

    /// <summary>Stores a message inside a batch another write already runs (a trigger firing delivers in its own transaction).</summary>
    internal static SendResult Send(WriteBatch batch, NewMessage message)
    {
        if (message.IdempotencyKey is { } key)
        {
            // Claim the key first (one statement on the common path); a key already taken is a duplicate.
            var claimed = batch.Command("INSERT INTO mailbox_idempotency (sender, key, first_id, count) VALUES (@s, @k, @first, @count) ON CONFLICT DO NOTHING")
                .Set("@s", message.From).Set("@k", key).Set("@first", batch.NextMessageId).Set("@count", message.Recipients.Count)
                .ExecuteNonQuery();
            if (claimed == 0)
            {
                using var found = batch.Command("SELECT first_id, count FROM mailbox_idempotency WHERE sender = @s AND key = @k")
                    .Set("@s", message.From).Set("@k", key).ExecuteReader();
                found.Read();
                var first = found.GetInt64(0);
                var count = found.GetInt64(1);
                found.Close();
                return Duplicate(batch, first, count);
            }
        }

        var ids = new ulong[message.Recipients.Count];
        var firstId = batch.NextMessageId;
        var insert = batch.Command($"INSERT INTO mailbox_messages ({MessageColumns}) VALUES (@id, @from, @to, @team, @run, @channel, @payload, @kind, @key, @at, 0, NULL, @conversation, @notice)");
        insert.Set("@from", message.From).Set("@team", message.TeamId).Set("@run", message.RunId).Set("@channel", message.Channel)
            .Set("@payload", message.Payload).Set("@kind", (int)message.Kind).Set("@key", message.IdempotencyKey).Set("@at", batch.NowUnixMs)
            .Set("@conversation", message.ConversationId).Set("@notice", message.AffinityNotice);
        for (var i = 0; i < ids.Length; i++)
        {
            var id = batch.NextMessageId++;
            insert.Set("@id", id).Set("@to", message.Recipients[i]).ExecuteNonQuery();
            ids[i] = (ulong)id;
            batch.Stored.Add(new MailboxMessage
            {
                Id = (ulong)id,
                FromActorId = message.From,
                ToActorId = message.Recipients[i],
                TeamId = message.TeamId ?? string.Empty,
                RunId = message.RunId ?? string.Empty,
                Channel = message.Channel,
                Payload = message.Payload,
                PayloadKind = message.Kind,
                IdempotencyKey = message.IdempotencyKey ?? string.Empty,
                CreatedAtUnixMs = batch.NowUnixMs,
                Status = MessageStatus.Pending,
                ConversationId = message.ConversationId ?? string.Empty,
                AffinityNotice = message.AffinityNotice ?? string.Empty,
            });
        }

        return new SendResult(ids, message.Recipients, Duplicate: false, MessageStatus.Pending);
    }

    private static SendResult Duplicate(WriteBatch batch, long firstId, long count)
    {
        var ids = new List<ulong>();
        var recipients = new List<string>();
        var status = MessageStatus.Pending;
        using var reader = batch.Command("SELECT id, to_actor, status FROM mailbox_messages WHERE id >= @first AND id < @end ORDER BY id")
            .Set("@first", firstId).Set("@end", firstId + count).ExecuteReader();
        while (reader.Read())
        {
            if (ids.Count == 0)
                status = (MessageStatus)reader.GetInt32(2);
            ids.Add((ulong)reader.GetInt64(0));
            recipients.Add(reader.GetString(1));
        }

        if (ids.Count == 0)
            ids.Add((ulong)firstId); // the original messages were purged; the key still maps to them
        return new SendResult(ids, recipients, Duplicate: true, status);
    }

    public Task<IReadOnlyList<MailboxMessage>> ReadAsync(InboxQuery query, CancellationToken cancellationToken) =>
        database.QueryAsync(InboxSql(pendingOnly: !query.IncludeDelivered), command => BindValues(command, query), ReadMessage, cancellationToken);

    public Task<IReadOnlyList<MailboxMessage>> ClaimAsync(InboxQuery query, CancellationToken cancellationToken) => database.WriteAsync<IReadOnlyList<MailboxMessage>>(batch =>
    {
        var command = batch.Command(InboxSql(pendingOnly: true));
        BindValues(command, query);
        var messages = new List<MailboxMessage>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                messages.Add(ReadMessage(reader));
        }

        // Only what this statement changed is handed out, not what the read saw: a row another writer (hub) claimed is skipped.
        var mark = batch.Command("UPDATE mailbox_messages SET status = 1, delivered_at = @at WHERE id = @id AND status = 0");
        var claimed = new List<MailboxMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (mark.Set("@at", batch.NowUnixMs).Set("@id", (long)message.Id).ExecuteNonQuery() == 0)
                continue;
            message.Status = MessageStatus.Delivered;
            message.DeliveredAtUnixMs = batch.NowUnixMs;
            claimed.Add(message);
        }

        return claimed;
    }, cancellationToken);

    public Task<AckResult> AckAsync(string actorId, IReadOnlyList<ulong> messageIds, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        // Check every id first: the ack is all-or-nothing.
        var pending = new List<long>(messageIds.Count);
        var already = 0;
        var seen = new HashSet<ulong>();
        var lookup = batch.Command("SELECT to_actor, status FROM mailbox_messages WHERE id = @id");
        foreach (var id in messageIds)
        {
            if (!seen.Add(id))
                continue;
            using var reader = lookup.Set("@id", (long)id).ExecuteReader();
            if (!reader.Read())
                throw new MailboxException(MailboxError.NotFound, $"message {id} does not exist. Check the id with 'actor inbox --include-delivered'.");
            if (!string.Equals(reader.GetString(0), actorId, StringComparison.Ordinal))
                throw new MailboxException(MailboxError.PermissionDenied, $"message {id} is not in the inbox of actor '{actorId}'; an actor acks only its own messages.");
            if (reader.GetInt32(1) == (int)MessageStatus.Pending)
                pending.Add((long)id);
            else
                already++;
        }

        var mark = batch.Command("UPDATE mailbox_messages SET status = 1, delivered_at = @at WHERE id = @id AND status = 0");
        foreach (var id in pending)
            mark.Set("@at", batch.NowUnixMs).Set("@id", id).ExecuteNonQuery();
        return new AckResult(pending.Count, already);
    }, cancellationToken);

    public Task<long> CountPendingAsync(string actorId, CancellationToken cancellationToken) =>
        database.ReadAsync(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT count(*) FROM mailbox_messages WHERE to_actor = @a AND status = 0").With("a", actorId);
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountPendingByActorAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<string, long>>(async (connection, ct) =>
        {
            await using var command = connection.Command("SELECT to_actor, count(*) FROM mailbox_messages WHERE status = 0 GROUP BY to_actor");
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                counts[reader.GetString(0)] = reader.GetInt64(1);
            return counts;
        }, cancellationToken);

    // CAST: PostgreSQL must know a parameter's type where it first appears, and a null filter carries none.
    private static string InboxSql(bool pendingOnly) =>
        $"SELECT {MessageColumns} FROM mailbox_messages WHERE to_actor = @actor AND id > @after"
        + (pendingOnly ? " AND status = 0" : string.Empty)
        + " AND (CAST(@run AS TEXT) IS NULL OR run_id = @run) AND (CAST(@channel AS TEXT) IS NULL OR channel = @channel) ORDER BY id LIMIT @limit";

    private static void BindValues(DbCommand command, InboxQuery query) =>
        command.Set("@actor", query.ActorId).Set("@after", (long)Math.Min(query.AfterId, long.MaxValue))
            .Set("@run", query.RunId).Set("@channel", query.Channel).Set("@limit", query.Limit);

    private static MailboxMessage ReadMessage(DbDataReader reader) => new()
    {
        Id = (ulong)reader.GetInt64(0),
        FromActorId = reader.GetString(1),
        ToActorId = reader.GetString(2),
        TeamId = reader.IsDBNull(3) ? string.Empty : reader.GetString(3),
        RunId = reader.IsDBNull(4) ? string.Empty : reader.GetString(4),
        Channel = reader.GetString(5),
        Payload = reader.GetString(6),
        PayloadKind = (PayloadKind)reader.GetInt32(7),
        IdempotencyKey = reader.IsDBNull(8) ? string.Empty : reader.GetString(8),
        CreatedAtUnixMs = reader.GetInt64(9),
        Status = (MessageStatus)reader.GetInt32(10),
        DeliveredAtUnixMs = reader.IsDBNull(11) ? 0 : reader.GetInt64(11),
        ConversationId = reader.IsDBNull(12) ? string.Empty : reader.GetString(12),
        AffinityNotice = reader.IsDBNull(13) ? string.Empty : reader.GetString(13),
    };

    public Task<IReadOnlyList<MailboxMessage>> ReadLatestAsync(string actorId, int limit, CancellationToken cancellationToken) =>
        database.QueryAsync($"SELECT {MessageColumns} FROM mailbox_messages WHERE to_actor = @actor ORDER BY id DESC LIMIT @limit",
            command => command.Set("@actor", actorId).Set("@limit", limit), ReadMessage, cancellationToken);
}
