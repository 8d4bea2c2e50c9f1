namespace Mesh.Hub.Storage;

/// <summary>The store's own table: facts about the whole deployment that every hub on it must agree on.</summary>
internal sealed class StorageMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("store-001", "CREATE TABLE hub_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL);"),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("store-001", "CREATE TABLE hub_settings (key text PRIMARY KEY, value text NOT NULL, set_by text NOT NULL, set_at timestamptz NOT NULL);"),
    ];
}
