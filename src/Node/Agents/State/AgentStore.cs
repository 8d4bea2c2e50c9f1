using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Node.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Node.Agents.State;

/// <summary>
/// The node's own record of its agents (data_dir/agents.db, WAL, synchronous=FULL, 0600): the specs the hub sent, each
/// agent's last status and the operator generations it has acted on, the runs (active ones are re-adopted after a
/// node restart), and the status events not yet acknowledged by the hub, in order.
/// </summary>
internal sealed class AgentStore : IDisposable
{
    public const string FileName = "agents.db";
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    public AgentStore(string dataDir)
    {
        _connection = NodeDatabase.Open(dataDir, FileName, """
            CREATE TABLE IF NOT EXISTS specs (agent_id TEXT PRIMARY KEY, spec BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS agents (agent_id TEXT PRIMARY KEY, status BLOB NOT NULL, restart_seen INTEGER NOT NULL, kill_seen INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, run BLOB NOT NULL, active INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS runs_active ON runs (active) WHERE active = 1;
            CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, status BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS output_progress (run_id TEXT NOT NULL, stream TEXT NOT NULL, acked INTEGER NOT NULL, complete INTEGER NOT NULL, PRIMARY KEY (run_id, stream));
            INSERT OR IGNORE INTO meta (name, value) VALUES ('events_epoch', lower(hex(randomblob(8))));
            """);
        EventsEpoch = Query("SELECT value FROM meta WHERE name = 'events_epoch'", r => r.GetString(0))[0];
    }

    /// <summary>Names this file's event sequence: a node whose data_dir was wiped starts a new one, which the hub must not skip.</summary>
    public string EventsEpoch { get; }

    public IReadOnlyList<AgentSpec> Specs() => Query("SELECT spec FROM specs", r => AgentSpec.Parser.ParseFrom((byte[])r[0]));

    /// <summary>Replaces the whole set (the hub always sends every agent placed on the node).</summary>
    public void ReplaceSpecs(IEnumerable<AgentSpec> specs)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            Run(transaction, "DELETE FROM specs");
            foreach (var spec in specs)
                Run(transaction, "INSERT INTO specs (agent_id, spec) VALUES ($a, $b)", ("$a", spec.AgentId), ("$b", spec.ToByteArray()));
            transaction.Commit();
        }
    }

    public IReadOnlyList<SavedAgent> Agents() => Query("SELECT agent_id, status, restart_seen, kill_seen FROM agents",
        r => new SavedAgent(r.GetString(0), AgentStatus.Parser.ParseFrom((byte[])r[1]), (ulong)r.GetInt64(2), (ulong)r.GetInt64(3)));

    /// <summary>Saves an agent's status and appends it as an event for the hub, in one transaction; returns the event's sequence.</summary>
    public ulong Record(AgentStatus status, ulong restartSeen, ulong killSeen)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            var bytes = status.ToByteArray();
            Run(transaction, """
                INSERT INTO agents (agent_id, status, restart_seen, kill_seen) VALUES ($a, $s, $r, $k)
                ON CONFLICT (agent_id) DO UPDATE SET status = $s, restart_seen = $r, kill_seen = $k
                """, ("$a", status.AgentId), ("$s", bytes), ("$r", (long)restartSeen), ("$k", (long)killSeen));
            using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO events (status) VALUES ($s) RETURNING seq";
            insert.Parameters.AddWithValue("$s", bytes);
            var seq = (long)insert.ExecuteScalar()!;
            transaction.Commit();
            return (ulong)seq;
        }
    }

    public void ForgetAgent(string agentId)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            Run(transaction, "DELETE FROM agents WHERE agent_id = $a", ("$a", agentId));
            Run(transaction, "DELETE FROM runs WHERE agent_id = $a AND active = 0", ("$a", agentId));
            transaction.Commit();
        }
    }

    public void SaveRun(AgentRun run, bool active)
    {
        lock (_gate)
        {
            Run(null, """
                INSERT INTO runs (run_id, agent_id, run, active) VALUES ($i, $a, $r, $x)
                ON CONFLICT (run_id) DO UPDATE SET run = $r, active = $x
                """, ("$i", run.RunId), ("$a", run.AgentId), ("$r", run.ToByteArray()), ("$x", active ? 1 : 0));
        }
    }

    public IReadOnlyList<AgentRun> ActiveRuns() => Query("SELECT run FROM runs WHERE active = 1", r => AgentRun.Parser.ParseFrom((byte[])r[0]));

    /// <summary>Finished runs, oldest first (for pruning their folders).</summary>
    public IReadOnlyList<AgentRun> FinishedRuns() => Query("SELECT run FROM runs WHERE active = 0 ORDER BY rowid", r => AgentRun.Parser.ParseFrom((byte[])r[0]));

    public void DeleteRun(string runId)
    {
        lock (_gate)
            Run(null, "DELETE FROM runs WHERE run_id = $i", ("$i", runId));
    }

    /// <summary>Events after <paramref name="afterSequence"/>, oldest first.</summary>
    public IReadOnlyList<AgentEvent> Events(ulong afterSequence, int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq, status FROM events WHERE seq > $s ORDER BY seq LIMIT $n";
            command.Parameters.AddWithValue("$s", (long)afterSequence);
            command.Parameters.AddWithValue("$n", limit);
            using var reader = command.ExecuteReader();
            var events = new List<AgentEvent>();
            while (reader.Read())
                events.Add(new AgentEvent { Sequence = (ulong)reader.GetInt64(0), Status = AgentStatus.Parser.ParseFrom((byte[])reader[1]) });
            return events;
        }
    }

    /// <summary>Drops the events the hub has stored.</summary>
    public void Acknowledge(ulong upToSequence)
    {
        lock (_gate)
            Run(null, "DELETE FROM events WHERE seq <= $s", ("$s", (long)upToSequence));
    }

    /// <summary>What the hub has acknowledged of each run's output: (run, stream) → (position, complete).</summary>
    public Dictionary<(string Run, string Stream), (long Acked, bool Complete)> OutputProgress() =>
        Query("SELECT run_id, stream, acked, complete FROM output_progress", r => (Key: (r.GetString(0), r.GetString(1)), Value: (r.GetInt64(2), r.GetInt64(3) != 0)))
            .ToDictionary(e => e.Key, e => e.Value);

    /// <summary>Sets the positions as given: lower than before too, when the hub lost output and asked for it again.</summary>
    public void SaveOutputProgress(IEnumerable<(string Run, string Stream, long Acked, bool Complete)> acks)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var (run, stream, acked, complete) in acks)
            {
                Run(transaction, """
                    INSERT INTO output_progress (run_id, stream, acked, complete) VALUES ($r, $s, $a, $c)
                    ON CONFLICT (run_id, stream) DO UPDATE SET acked = $a, complete = $c
                    """, ("$r", run), ("$s", stream), ("$a", acked), ("$c", complete ? 1 : 0));
            }

            transaction.Commit();
        }
    }

    public long PendingEvents() => Query("SELECT count(*) FROM events", r => r.GetInt64(0))[0];

    public void Dispose() => _connection.Dispose();

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
                rows.Add(read(reader));
            return rows;
        }
    }

    private void Run(SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

}

internal sealed record SavedAgent(string AgentId, AgentStatus Status, ulong RestartSeen, ulong KillSeen);
