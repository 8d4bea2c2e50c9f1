using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents.Codebases;

/// <summary>Codebases and the nodes they are bound to (one row per codebase and node, with the repository's path there). Times are Unix ms.</summary>
internal sealed class CodebaseMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("codebases-001", """
            CREATE TABLE codebases (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
            CREATE TABLE codebase_nodes (codebase TEXT NOT NULL, node_id TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (codebase, node_id));
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("codebases-001", """
            CREATE TABLE codebases (name text COLLATE "C" PRIMARY KEY, created_at bigint NOT NULL);
            CREATE TABLE codebase_nodes (codebase text NOT NULL, node_id text NOT NULL, path text NOT NULL, PRIMARY KEY (codebase, node_id));
            """),
    ];
}
