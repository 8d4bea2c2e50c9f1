using Mesh.Hub.Storage;

namespace Mesh.Hub.Cluster;

/// <summary>The hubs' leases. Kept on SQLite too (same ids on both backends), where the one hub needs no lease.</summary>
internal sealed class ClusterMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("cluster-001", "CREATE TABLE hubs (id TEXT PRIMARY KEY, host TEXT NOT NULL, started_at TEXT NOT NULL, expires_at TEXT NOT NULL);"),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("cluster-001", "CREATE TABLE hubs (id text PRIMARY KEY, host text NOT NULL, started_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);"),
    ];
}
