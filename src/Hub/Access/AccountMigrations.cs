using Mesh.Hub.Storage;

namespace Mesh.Hub.Access;

internal sealed class AccountMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("web-001", """
            CREATE TABLE ui_users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                failed_logins INTEGER NOT NULL DEFAULT 0,
                locked_until TEXT
            );
            CREATE TABLE ui_api_tokens (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                secret_hash BLOB NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                last_used_at TEXT,
                revoked_at TEXT
            );
            """),
        new("web-002", "ALTER TABLE ui_users ADD COLUMN last_login_at TEXT;"),
        // Tokens made before expiry existed keep no expiry (NULL): what they were created with.
        new("web-003", "ALTER TABLE ui_api_tokens ADD COLUMN expires_at TEXT;"),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("web-001", """
            CREATE TABLE ui_users (
                name text COLLATE "C" PRIMARY KEY,
                role text NOT NULL,
                password_hash text NOT NULL,
                created_at timestamptz NOT NULL,
                failed_logins integer NOT NULL DEFAULT 0,
                locked_until timestamptz
            );
            CREATE TABLE ui_api_tokens (
                id text PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL,
                secret_hash bytea NOT NULL,
                created_at timestamptz NOT NULL,
                created_by text NOT NULL,
                last_used_at timestamptz,
                revoked_at timestamptz
            );
            """),
        new("web-002", "ALTER TABLE ui_users ADD COLUMN last_login_at timestamptz;"),
        new("web-003", "ALTER TABLE ui_api_tokens ADD COLUMN expires_at timestamptz;"),
    ];
}
