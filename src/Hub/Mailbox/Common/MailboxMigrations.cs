using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>Schema of actors, messages, idempotency keys, time triggers and permission reviews. Times are Unix milliseconds (UTC).</summary>
public sealed class MailboxMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("mailbox-001", """
            CREATE TABLE mailbox_actors (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                team_id TEXT,
                team_role TEXT NOT NULL DEFAULT 'worker',
                placement TEXT NOT NULL DEFAULT 'hub',
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX mailbox_actors_team ON mailbox_actors (team_id);

            CREATE TABLE mailbox_messages (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                from_actor TEXT NOT NULL,
                to_actor TEXT NOT NULL,
                team_id TEXT,
                run_id TEXT,
                channel TEXT NOT NULL,
                payload TEXT NOT NULL,
                payload_kind INTEGER NOT NULL,
                idempotency_key TEXT,
                created_at INTEGER NOT NULL,
                status INTEGER NOT NULL DEFAULT 0,
                delivered_at INTEGER
            );
            CREATE INDEX mailbox_messages_pending ON mailbox_messages (to_actor, status, id);
            CREATE INDEX mailbox_messages_inbox ON mailbox_messages (to_actor, id);

            CREATE TABLE mailbox_idempotency (
                sender TEXT NOT NULL,
                key TEXT NOT NULL,
                first_id INTEGER NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (sender, key)
            ) WITHOUT ROWID;

            CREATE TABLE mailbox_triggers (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                actor_id TEXT NOT NULL,
                created_by TEXT NOT NULL,
                cron TEXT,
                next_due INTEGER,
                message TEXT NOT NULL,
                channel TEXT NOT NULL,
                run_id TEXT,
                status TEXT NOT NULL,
                fire_count INTEGER NOT NULL DEFAULT 0,
                last_fired INTEGER,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX mailbox_triggers_due ON mailbox_triggers (status, next_due);

            CREATE TABLE mailbox_reviews (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                asker TEXT NOT NULL,
                team_id TEXT,
                title TEXT NOT NULL,
                details TEXT NOT NULL,
                options TEXT NOT NULL,
                status TEXT NOT NULL,
                option_id TEXT,
                answered_by TEXT,
                created_at INTEGER NOT NULL,
                answered_at INTEGER,
                run_id TEXT
            );
            CREATE INDEX mailbox_reviews_status ON mailbox_reviews (status, id);
            """),

        // PostgreSQL's message ids move from the identity default to the writer (see below); SQLite's already were.
        new("mailbox-002", "SELECT 1;"),
        ConversationColumns,
    ];

    // A message routed in a conversation carries its conversation (and the notice when it moved) in its own row,
    // written in the send's transaction: no reader can see the message without them.
    private static readonly Migration ConversationColumns = new("mailbox-003", """
        ALTER TABLE mailbox_messages ADD COLUMN conversation_id TEXT;
        ALTER TABLE mailbox_messages ADD COLUMN affinity_notice TEXT;
        """);

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("mailbox-001", """
            CREATE TABLE mailbox_actors (
                id text PRIMARY KEY,
                name text NOT NULL,
                team_id text,
                team_role text NOT NULL DEFAULT 'worker',
                placement text NOT NULL DEFAULT 'hub',
                created_at bigint NOT NULL
            );
            CREATE INDEX mailbox_actors_team ON mailbox_actors (team_id);

            CREATE TABLE mailbox_messages (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                from_actor text NOT NULL,
                to_actor text NOT NULL,
                team_id text,
                run_id text,
                channel text NOT NULL,
                payload text NOT NULL,
                payload_kind integer NOT NULL,
                idempotency_key text,
                created_at bigint NOT NULL,
                status integer NOT NULL DEFAULT 0,
                delivered_at bigint
            );
            CREATE INDEX mailbox_messages_pending ON mailbox_messages (to_actor, status, id);
            CREATE INDEX mailbox_messages_inbox ON mailbox_messages (to_actor, id);

            CREATE TABLE mailbox_idempotency (
                sender text NOT NULL,
                key text NOT NULL,
                first_id bigint NOT NULL,
                count integer NOT NULL,
                PRIMARY KEY (sender, key)
            );

            CREATE TABLE mailbox_triggers (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                actor_id text NOT NULL,
                created_by text NOT NULL,
                cron text,
                next_due bigint,
                message text NOT NULL,
                channel text NOT NULL,
                run_id text,
                status text NOT NULL,
                fire_count integer NOT NULL DEFAULT 0,
                last_fired bigint,
                created_at bigint NOT NULL
            );
            CREATE INDEX mailbox_triggers_due ON mailbox_triggers (status, next_due);

            CREATE TABLE mailbox_reviews (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                asker text NOT NULL,
                team_id text,
                title text NOT NULL,
                details text NOT NULL,
                options text NOT NULL,
                status text NOT NULL,
                option_id text,
                answered_by text,
                created_at bigint NOT NULL,
                answered_at bigint,
                run_id text
            );
            CREATE INDEX mailbox_reviews_status ON mailbox_reviews (status, id);
            """),

        // The mailbox writer hands out message ids in commit order under a lock (WriteBatch) and moves the identity's
        // sequence past them, as SQLite's writer does from memory; ALWAYS would refuse an id given in the INSERT.
        new("mailbox-002", "ALTER TABLE mailbox_messages ALTER COLUMN id SET GENERATED BY DEFAULT;"),
        ConversationColumns,
    ];
}
