using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Revocation;

internal sealed class RevocationMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("revocation-001", """
            CREATE TABLE revoked_nodes (node_id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL, reason TEXT NOT NULL);
            CREATE TABLE revoked_certificates (serial TEXT PRIMARY KEY, node_id TEXT NOT NULL, not_after TEXT NOT NULL, revoked_at TEXT NOT NULL, reason TEXT NOT NULL);
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("revocation-001", """
            CREATE TABLE revoked_nodes (node_id text PRIMARY KEY, revoked_at timestamptz NOT NULL, reason text NOT NULL);
            CREATE TABLE revoked_certificates (serial text PRIMARY KEY, node_id text NOT NULL, not_after timestamptz NOT NULL, revoked_at timestamptz NOT NULL, reason text NOT NULL);
            """),
    ];
}
