using System.Data.Common;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents.Conversations;

/// <summary>
/// Conversation bindings and routes in the hub's database (SQLite or PostgreSQL). A binding is made by
/// <c>INSERT … ON CONFLICT DO NOTHING</c> and moved by a conditional <c>UPDATE … WHERE replica = @from</c>, each
/// followed by a read of the row: concurrent first messages of a conversation (or two hubs) agree on one replica,
/// and only one of two concurrent moves wins.
/// </summary>
public sealed class ConversationStore(IHubDatabase database)
{
    private const string Columns = "agent_id, conversation_id, replica, lease_until, messages, moves, created_at, updated_at";

    public async Task<ConversationBinding?> FindAsync(string agentId, string conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, agentId, conversationId, cancellationToken);
    }

    /// <summary>Binds the conversation to <paramref name="replica"/> unless it is bound already; returns the binding that holds.</summary>
    public async Task<ConversationBinding> BindAsync(string agentId, string conversationId, string replica, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.Command($"""
            INSERT INTO agent_conversations ({Columns}) VALUES (@a, @c, @r, @now, 0, 0, @now, @now)
            ON CONFLICT (agent_id, conversation_id) DO NOTHING
            """).With("a", agentId).With("c", conversationId).With("r", replica).With("now", now.ToUnixTimeMilliseconds()).ExecuteNonQueryAsync(cancellationToken);
        return (await FindAsync(connection, agentId, conversationId, cancellationToken))!;
    }

    /// <summary>Moves the conversation from <paramref name="from"/> to <paramref name="to"/>; false when it was not on <paramref name="from"/> any more.</summary>
    public async Task<bool> MoveAsync(string agentId, string conversationId, string from, string to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.Command("""
            UPDATE agent_conversations SET replica = @to, moves = moves + 1, updated_at = @now
            WHERE agent_id = @a AND conversation_id = @c AND replica = @from
            """).With("to", to).With("now", now.ToUnixTimeMilliseconds()).With("a", agentId).With("c", conversationId).With("from", from)
            .ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Counts a message of the conversation and renews its lease (never shortening it).</summary>
    public async Task RenewAsync(string agentId, string conversationId, DateTimeOffset at, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.Command("""
            UPDATE agent_conversations SET messages = messages + 1, updated_at = @at, lease_until = CASE WHEN lease_until > @until THEN lease_until ELSE @until END
            WHERE agent_id = @a AND conversation_id = @c
            """).With("at", at.ToUnixTimeMilliseconds()).With("until", leaseUntil.ToUnixTimeMilliseconds()).With("a", agentId).With("c", conversationId)
            .ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The agent was deleted: its conversations end (their routes stay, as the messages do).</summary>
    public async Task ForgetAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.Command("DELETE FROM agent_conversations WHERE agent_id = @a").With("a", agentId).ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Per replica of the agent: how many conversations it holds, and how many of them are active (lease not run out).</summary>
    public async Task<IReadOnlyDictionary<string, (int Held, int Active)>> CountsAsync(string agentId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT replica, COUNT(*), SUM(CASE WHEN lease_until > @now THEN 1 ELSE 0 END) FROM agent_conversations WHERE agent_id = @a GROUP BY replica
            """).With("now", now.ToUnixTimeMilliseconds()).With("a", agentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            counts[reader.GetString(0)] = (Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture));
        return counts;
    }

    /// <summary>The agent's conversations, the most recently used first.</summary>
    public async Task<IReadOnlyList<ConversationBinding>> ListAsync(string agentId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM agent_conversations WHERE agent_id = @a ORDER BY updated_at DESC, conversation_id LIMIT @n")
            .With("a", agentId).With("n", limit);
        return await ReadBindingsAsync(command, cancellationToken);
    }

    private static async Task<ConversationBinding?> FindAsync(DbConnection connection, string agentId, string conversationId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {Columns} FROM agent_conversations WHERE agent_id = @a AND conversation_id = @c")
            .With("a", agentId).With("c", conversationId);
        return (await ReadBindingsAsync(command, cancellationToken)) is [var one] ? one : null;
    }

    private static async Task<IReadOnlyList<ConversationBinding>> ReadBindingsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var bindings = new List<ConversationBinding>();
        while (await reader.ReadAsync(cancellationToken))
        {
            bindings.Add(new ConversationBinding(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetInt64(4), reader.GetInt64(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }

        return bindings;
    }
}
