using Mesh.Core.Protocol;
using Mesh.Node.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>A worktree the node knows: owned by an agent (active), kept after its agent was deleted, released or removed.</summary>
internal sealed record WorktreeRecord(AgentWorktree Worktree, string AgentId, string State, string Note, bool SetupDone, string CommonDir)
{
    public const string Active = "active";
    public const string Kept = "kept";
    public const string Released = "released";
    public const string Removed = "removed";
}

/// <summary>
/// The node's worktrees (data_dir/worktrees.db): path, repository, branch, base commit, owner and state. A path is
/// owned by at most one agent at a time (a unique index), so two agents cannot claim one <c>reuse_worktree</c>.
/// </summary>
internal sealed class WorktreeStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public WorktreeStore(string dataDir)
    {
        _connection = NodeDatabase.Open(dataDir, "worktrees.db", """
            CREATE TABLE IF NOT EXISTS worktrees (id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, agent_id TEXT NOT NULL,
                repo TEXT NOT NULL, common_dir TEXT NOT NULL, branch TEXT NOT NULL, base TEXT NOT NULL, ref TEXT NOT NULL, mode TEXT NOT NULL,
                state TEXT NOT NULL, note TEXT NOT NULL, setup_done INTEGER NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS worktrees_owned ON worktrees (path) WHERE state IN ('active', 'kept');
            CREATE UNIQUE INDEX IF NOT EXISTS worktrees_agent ON worktrees (agent_id) WHERE state = 'active';
            """);
    }

    /// <summary>Claims <paramref name="record"/>'s path for its agent; false when another agent owns it or it is kept.</summary>
    public bool TryClaim(WorktreeRecord record)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO worktrees (path, agent_id, repo, common_dir, branch, base, ref, mode, state, note, setup_done)
                VALUES ($p, $a, $r, $c, $b, $base, $ref, $m, $s, '', $d)
                """;
            var w = record.Worktree;
            command.Parameters.AddWithValue("$p", w.Path);
            command.Parameters.AddWithValue("$a", record.AgentId);
            command.Parameters.AddWithValue("$r", w.Repo);
            command.Parameters.AddWithValue("$c", record.CommonDir);
            command.Parameters.AddWithValue("$b", w.Branch);
            command.Parameters.AddWithValue("$base", w.BaseCommit);
            command.Parameters.AddWithValue("$ref", w.Ref);
            command.Parameters.AddWithValue("$m", w.Mode);
            command.Parameters.AddWithValue("$s", record.State);
            command.Parameters.AddWithValue("$d", record.SetupDone ? 1 : 0);
            try
            {
                command.ExecuteNonQuery();
                return true;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19) // constraint
            {
                return false;
            }
        }
    }

    /// <summary>The worktree an agent owns now.</summary>
    public WorktreeRecord? OwnedBy(string agentId) => Query("WHERE agent_id = $a AND state = 'active'", ("$a", agentId)).FirstOrDefault();

    /// <summary>The agent's latest worktree, whatever its state (for the release outcome).</summary>
    public WorktreeRecord? Latest(string agentId) => Query("WHERE agent_id = $a ORDER BY id DESC LIMIT 1", ("$a", agentId)).FirstOrDefault();

    /// <summary>The worktree at a path that is owned or kept.</summary>
    public WorktreeRecord? AtPath(string path) => Query("WHERE path = $p AND state IN ('active', 'kept')", ("$p", path)).FirstOrDefault();

    /// <summary>Every worktree owned or kept, by path.</summary>
    public IReadOnlyList<WorktreeRecord> Current() => Query("WHERE state IN ('active', 'kept') ORDER BY path");

    public void SetState(string path, string agentId, string state, string note) =>
        Execute("UPDATE worktrees SET state = $s, note = $n WHERE path = $p AND agent_id = $a AND state IN ('active', 'kept')",
            ("$s", state), ("$n", note), ("$p", path), ("$a", agentId));

    public void SetupDone(string path, string agentId) =>
        Execute("UPDATE worktrees SET setup_done = 1 WHERE path = $p AND agent_id = $a AND state = 'active'", ("$p", path), ("$a", agentId));

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            command.ExecuteNonQuery();
        }
    }

    private List<WorktreeRecord> Query(string where, params (string Name, object Value)[] parameters)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT path, agent_id, repo, branch, base, ref, mode, state, note, setup_done, common_dir FROM worktrees " + where;
            foreach (var (name, value) in parameters)
                command.Parameters.AddWithValue(name, value);
            using var reader = command.ExecuteReader();
            var rows = new List<WorktreeRecord>();
            while (reader.Read())
            {
                var worktree = new AgentWorktree
                {
                    Path = reader.GetString(0),
                    Repo = reader.GetString(2),
                    Branch = reader.GetString(3),
                    BaseCommit = reader.GetString(4),
                    Ref = reader.GetString(5),
                    Mode = reader.GetString(6),
                };
                rows.Add(new WorktreeRecord(worktree, reader.GetString(1), reader.GetString(7), reader.GetString(8), reader.GetInt64(9) == 1, reader.GetString(10)));
            }

            return rows;
        }
    }
}
