using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents;

internal sealed class AgentMigrations : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } =
    [
        new("agents-001", """
            CREATE TABLE agents (id TEXT PRIMARY KEY, node_id TEXT NOT NULL, definition TEXT NOT NULL);
            CREATE INDEX agents_node ON agents (node_id);
            CREATE TABLE agent_status (agent_id TEXT PRIMARY KEY, node_id TEXT NOT NULL, status BLOB NOT NULL);
            CREATE TABLE agent_runs (run_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, node_id TEXT NOT NULL, started_at INTEGER NOT NULL, run BLOB NOT NULL);
            CREATE INDEX agent_runs_agent ON agent_runs (agent_id, started_at);
            CREATE TABLE agent_event_cursors (node_id TEXT NOT NULL, epoch TEXT NOT NULL, last_sequence INTEGER NOT NULL, PRIMARY KEY (node_id, epoch));
            """),
        new("agents-002", """
            CREATE TABLE agent_replicas (name TEXT PRIMARY KEY, agent_id TEXT NOT NULL, ordinal INTEGER NOT NULL, rank INTEGER NOT NULL,
                node_id TEXT, state TEXT NOT NULL, revision INTEGER NOT NULL, created_at INTEGER NOT NULL, removed_at INTEGER);
            CREATE UNIQUE INDEX agent_replicas_ordinal ON agent_replicas (agent_id, ordinal);
            """),
    ];

    public IEnumerable<Migration> PostgresMigrations { get; } =
    [
        new("agents-001", """
            CREATE TABLE agents (id text PRIMARY KEY, node_id text NOT NULL, definition text NOT NULL);
            CREATE INDEX agents_node ON agents (node_id);
            CREATE TABLE agent_status (agent_id text PRIMARY KEY, node_id text NOT NULL, status bytea NOT NULL);
            CREATE TABLE agent_runs (run_id text COLLATE "C" PRIMARY KEY, agent_id text NOT NULL, node_id text NOT NULL, started_at bigint NOT NULL, run bytea NOT NULL);
            CREATE INDEX agent_runs_agent ON agent_runs (agent_id, started_at);
            CREATE TABLE agent_event_cursors (node_id text NOT NULL, epoch text NOT NULL, last_sequence bigint NOT NULL, PRIMARY KEY (node_id, epoch));
            """),
        new("agents-002", """
            CREATE TABLE agent_replicas (name text PRIMARY KEY, agent_id text NOT NULL, ordinal integer NOT NULL, rank integer NOT NULL,
                node_id text, state text NOT NULL, revision bigint NOT NULL, created_at bigint NOT NULL, removed_at bigint);
            CREATE UNIQUE INDEX agent_replicas_ordinal ON agent_replicas (agent_id, ordinal);
            """),
    ];
}
