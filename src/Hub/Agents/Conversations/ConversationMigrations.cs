using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents.Conversations;

/// <summary>
/// Conversation affinity: which replica holds each conversation of an agent (one row per agent and conversation,
/// its lease renewed by every message). Times are Unix ms. A message's conversation is stored on the message itself
/// (mailbox-003, in the send's transaction); conversations-002 moves the routes recorded before that onto the messages.
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
        RoutesOntoMessages,
    ];

    // Runs after mailbox-003 (the mailbox's migrations come first): the same text AgentRoute.RecipientNotice gives.
    private static readonly Migration RoutesOntoMessages = new("conversations-002", """
        UPDATE mailbox_messages SET conversation_id = r.conversation_id,
            affinity_notice = CASE WHEN r.moved_from IS NULL THEN NULL ELSE 'affinity broken: conversation ''' || r.conversation_id
                || ''' was on replica ''' || r.moved_from || '''; it moved here (''' || r.replica || '''), without its earlier context.' END
        FROM conversation_routes r WHERE r.message_id = mailbox_messages.id;
        DROP TABLE conversation_routes;
        """);

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
        RoutesOntoMessages,
    ];
}
