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
}
