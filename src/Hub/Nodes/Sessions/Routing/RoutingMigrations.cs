using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Sessions.Routing;

/// <summary>
/// Which hub holds which node's session, and the commands one hub routes to another. Kept on SQLite too (same ids on
/// both backends); the one hub there never writes them.
/// </summary>
internal sealed class RoutingMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("routing-001", """
            CREATE TABLE node_sessions (node_id TEXT PRIMARY KEY, hub_id TEXT NOT NULL, generation INTEGER NOT NULL, attached_at TEXT NOT NULL);
            CREATE TABLE node_commands (id TEXT PRIMARY KEY, node_id TEXT NOT NULL, hub_id TEXT NOT NULL, sender_hub_id TEXT NOT NULL, payload BLOB NOT NULL,
                state TEXT NOT NULL, result BLOB, error TEXT, created_at TEXT NOT NULL, deadline TEXT NOT NULL, finished_at TEXT);
            CREATE INDEX node_commands_by_hub ON node_commands (hub_id, state);
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("routing-001", """
            CREATE TABLE node_sessions (node_id text COLLATE "C" PRIMARY KEY, hub_id text NOT NULL, generation bigint NOT NULL, attached_at timestamptz NOT NULL);
            CREATE TABLE node_commands (id text PRIMARY KEY, node_id text NOT NULL, hub_id text NOT NULL, sender_hub_id text NOT NULL, payload bytea NOT NULL,
                state text NOT NULL, result bytea, error text, created_at timestamptz NOT NULL, deadline timestamptz NOT NULL, finished_at timestamptz);
            CREATE INDEX node_commands_by_hub ON node_commands (hub_id, state);
            """),
    ];
}
