using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents.Conversations;

/// <summary>
/// Conversation affinity: which replica holds each conversation of an agent (one row per agent and conversation,
/// its lease renewed by every message), and the route of each message sent in a conversation. Times are Unix ms.
/// </summary>
internal sealed class ConversationMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("conversations-001", """
            CREATE TABLE agent_conversations (agent_id TEXT NOT NULL, conversation_id TEXT NOT NULL, replica TEXT NOT NULL,
                lease_until INTEGER NOT NULL, messages INTEGER NOT NULL, moves INTEGER NOT NULL, created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL, PRIMARY KEY (agent_id, conversation_id));
            CREATE INDEX agent_conversations_replica ON agent_conversations (agent_id, replica);
            CREATE TABLE conversation_routes (message_id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
                replica TEXT NOT NULL, moved_from TEXT, routed_at INTEGER NOT NULL);
            CREATE INDEX conversation_routes_conversation ON conversation_routes (agent_id, conversation_id, message_id);
            CREATE INDEX conversation_routes_replica ON conversation_routes (replica);
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("conversations-001", """
            CREATE TABLE agent_conversations (agent_id text NOT NULL, conversation_id text COLLATE "C" NOT NULL, replica text NOT NULL,
                lease_until bigint NOT NULL, messages bigint NOT NULL, moves bigint NOT NULL, created_at bigint NOT NULL,
                updated_at bigint NOT NULL, PRIMARY KEY (agent_id, conversation_id));
            CREATE INDEX agent_conversations_replica ON agent_conversations (agent_id, replica);
            CREATE TABLE conversation_routes (message_id bigint PRIMARY KEY, agent_id text NOT NULL, conversation_id text NOT NULL,
                replica text NOT NULL, moved_from text, routed_at bigint NOT NULL);
            CREATE INDEX conversation_routes_conversation ON conversation_routes (agent_id, conversation_id, message_id);
            CREATE INDEX conversation_routes_replica ON conversation_routes (replica);
            """),
    ];
}
