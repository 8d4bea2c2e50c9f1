using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Registry;

internal sealed class RegistryMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("registry-001", """
            CREATE TABLE nodes (
                id TEXT PRIMARY KEY,
                name TEXT,
                grpc_target TEXT,
                tls_server_name TEXT,
                default_worktree_root TEXT,
                capabilities TEXT NOT NULL DEFAULT '[]',
                labels TEXT NOT NULL DEFAULT '{}',
                hostname TEXT,
                platform TEXT,
                arch TEXT,
                cpu_count INTEGER NOT NULL DEFAULT 0,
                memory_bytes INTEGER NOT NULL DEFAULT 0,
                version TEXT,
                status TEXT NOT NULL,
                last_heartbeat_at TEXT,
                cert_serial TEXT,
                cert_expires_at TEXT,
                enrolled_at TEXT,
                connected_since TEXT,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE TABLE node_certificates (
                serial TEXT PRIMARY KEY,
                node_id TEXT NOT NULL,
                not_after TEXT NOT NULL,
                issued_at TEXT NOT NULL
            );
            CREATE INDEX node_certificates_node ON node_certificates(node_id);
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("registry-001", """
            CREATE TABLE nodes (
                id text COLLATE "C" PRIMARY KEY,
                name text,
                grpc_target text,
                tls_server_name text,
                default_worktree_root text,
                capabilities text NOT NULL DEFAULT '[]',
                labels text NOT NULL DEFAULT '{}',
                hostname text,
                platform text,
                arch text,
                cpu_count integer NOT NULL DEFAULT 0,
                memory_bytes bigint NOT NULL DEFAULT 0,
                version text,
                status text NOT NULL,
                last_heartbeat_at timestamptz,
                cert_serial text,
                cert_expires_at timestamptz,
                enrolled_at timestamptz,
                connected_since timestamptz,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz
            );
            CREATE TABLE node_certificates (
                serial text PRIMARY KEY,
                node_id text NOT NULL,
                not_after timestamptz NOT NULL,
                issued_at timestamptz NOT NULL
            );
            CREATE INDEX node_certificates_node ON node_certificates (node_id);
            """),
    ];
}
