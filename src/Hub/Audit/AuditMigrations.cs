using Mesh.Hub.Storage;

namespace Mesh.Hub.Audit;

internal sealed class AuditMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("audit-001", """
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                source TEXT,
                details TEXT
            );
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("audit-001", """
            CREATE TABLE audit_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                target text,
                source text,
                details text
            );
            """),
    ];
}
