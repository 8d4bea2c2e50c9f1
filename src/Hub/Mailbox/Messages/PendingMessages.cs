using System.Data.Common;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// New messages (no idempotency key: nothing to decide) that wait in a PostgreSQL batch and are stored by one
/// INSERT over arrays, whatever their number: one statement for a whole group commit instead of one per message.
/// </summary>
internal sealed class PendingMessages : IPendingRows
{
    private const string Sql = """
        INSERT INTO mailbox_messages (id, from_actor, to_actor, team_id, run_id, channel, payload, payload_kind, idempotency_key, created_at, status, delivered_at, conversation_id, affinity_notice)
        SELECT id, from_actor, to_actor, team_id, run_id, channel, payload, payload_kind, NULL, @at, 0, NULL, conversation_id, affinity_notice
        FROM unnest(@ids::bigint[], @from::text[], @to::text[], @team::text[], @run::text[], @channel::text[], @payload::text[], @kind::integer[], @conversation::text[], @notice::text[])
            AS m(id, from_actor, to_actor, team_id, run_id, channel, payload, payload_kind, conversation_id, affinity_notice)
        """;

    private readonly List<(long Id, string To, NewMessage Message)> _rows = [];

    public void Add(long id, string to, NewMessage message) => _rows.Add((id, to, message));

    public void Fill(DbBatchCommand command, long nowUnixMs)
    {
        command.CommandText = Sql;
        Add(command, "@at", nowUnixMs);
        Add(command, "@ids", _rows.Select(r => r.Id).ToArray());
        Add(command, "@from", _rows.Select(r => r.Message.From).ToArray());
        Add(command, "@to", _rows.Select(r => r.To).ToArray());
        Add(command, "@team", _rows.Select(r => r.Message.TeamId).ToArray());
        Add(command, "@run", _rows.Select(r => r.Message.RunId).ToArray());
        Add(command, "@channel", _rows.Select(r => r.Message.Channel).ToArray());
        Add(command, "@payload", _rows.Select(r => r.Message.Payload).ToArray());
        Add(command, "@kind", _rows.Select(r => (int)r.Message.Kind).ToArray());
        Add(command, "@conversation", _rows.Select(r => r.Message.ConversationId).ToArray());
        Add(command, "@notice", _rows.Select(r => r.Message.AffinityNotice).ToArray());
    }

    private static void Add(DbBatchCommand command, string name, object value) => command.Parameters.Add(WriteBatch.Parameter(command, name, value));
}
