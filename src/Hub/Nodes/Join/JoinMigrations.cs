using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Join;

internal sealed class JoinMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("join-001", """
            CREATE TABLE join_tokens (
                id TEXT PRIMARY KEY,
                secret_hash BLOB NOT NULL,
                created_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                uses INTEGER NOT NULL,
                uses_left INTEGER NOT NULL,
                node_id TEXT,
                created_by TEXT NOT NULL,
                last_used_at TEXT,
                revoked_at TEXT
            );
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("join-001", """
            CREATE TABLE join_tokens (
                id text PRIMARY KEY,
                secret_hash bytea NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                uses integer NOT NULL,
                uses_left integer NOT NULL,
                node_id text,
                created_by text NOT NULL,
                last_used_at timestamptz,
                revoked_at timestamptz
            );
            """),
    ];
}
