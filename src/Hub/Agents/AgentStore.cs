using System.Collections.Concurrent;
using System.Text.Json;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Agents.Replicas;
using Mesh.Hub.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Agents;

/// <summary>
/// Agents, their last reported status and their runs in the hub's database, with the definitions and statuses also
/// held in memory for the pages and the REST list. One writer at a time. An agent's replicas are rows of their own
/// (<see cref="AgentReplica"/>); what a replica runs is derived from its agent's definition, so a change of the agent
/// reaches every replica.
/// </summary>
public sealed class AgentStore(HubDatabase database) : IDisposable
{
    private static readonly string[] DeleteAgent = ["DELETE FROM agents WHERE id = $id", "DELETE FROM agent_status WHERE agent_id = $id", "DELETE FROM agent_runs WHERE agent_id = $id"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, AgentDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentReplica> _replicas = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var read = connection.Command("SELECT definition FROM agents"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var definition = JsonSerializer.Deserialize<AgentDefinition>(reader.GetString(0), Json)!;
                _definitions[definition.Id] = definition;
            }
        }

        await using (var read = connection.Command("SELECT agent_id, status FROM agent_status"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                _statuses[reader.GetString(0)] = AgentStatus.Parser.ParseFrom((byte[])reader[1]);
        }

        await using (var read = connection.Command("SELECT name, agent_id, ordinal, rank, node_id, state, revision, created_at, removed_at FROM agent_replicas"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var replica = new AgentReplica(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetString(5), (ulong)reader.GetInt64(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
                _replicas[replica.Name] = replica;
            }
        }
    }

    /// <summary>An agent (not a replica).</summary>
    public AgentDefinition? Find(string id) => _definitions.GetValueOrDefault(id);

    /// <summary>What runs under this id on a node: an agent, or a live replica (as its derived definition).</summary>
    public AgentDefinition? FindRunnable(string id) =>
        _definitions.GetValueOrDefault(id)
        ?? (_replicas.GetValueOrDefault(id) is { Live: true } replica && _definitions.GetValueOrDefault(replica.AgentId) is { } agent ? agent.ForReplica(replica) : null);

    public AgentReplica? Replica(string name) => _replicas.GetValueOrDefault(name);

    /// <summary>An agent's replicas, removed ones included, by ordinal.</summary>
    public IReadOnlyList<AgentReplica> ReplicasOf(string agentId) => [.. _replicas.Values.Where(r => r.AgentId == agentId).OrderBy(r => r.Ordinal)];

    public IReadOnlyList<AgentReplica> AllReplicas() => [.. _replicas.Values];

    /// <summary>Live replicas waiting for a node.</summary>
    public IReadOnlyList<AgentReplica> Unplaced() => [.. _replicas.Values.Where(r => r.Live && r.NodeId is null).OrderBy(r => r.AgentId, StringComparer.Ordinal).ThenBy(r => r.Ordinal)];

    /// <summary>True when a replica had this name at any time (names are never given out twice).</summary>
    public bool ReplicaNameUsed(string name) => _replicas.ContainsKey(name);

    public AgentStatus? Status(string id) => _statuses.GetValueOrDefault(id);

    public IReadOnlyList<AgentDefinition> List() => [.. _definitions.Values.OrderBy(a => a.Id, StringComparer.Ordinal)];

    /// <summary>Everything that runs on the node: its agents and the live replicas placed on it.</summary>
    public IReadOnlyList<AgentDefinition> OnNode(string nodeId) =>
    [
        .. List().Where(a => a.NodeId == nodeId),
        .. _replicas.Values.Where(r => r.Live && r.NodeId == nodeId).OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => _definitions.GetValueOrDefault(r.AgentId)?.ForReplica(r)).OfType<AgentDefinition>(),
    ];

    /// <summary>Creates or changes replicas in one transaction; a removed one's status row goes (its runs stay).</summary>
    public Task SaveReplicasAsync(IReadOnlyList<AgentReplica> replicas, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        foreach (var r in replicas)
        {
            await connection.Command("""
                INSERT INTO agent_replicas (name, agent_id, ordinal, rank, node_id, state, revision, created_at, removed_at)
                VALUES ($name, $agent, $ordinal, $rank, $node, $state, $revision, $created, $removed)
                ON CONFLICT (name) DO UPDATE SET node_id = $node, state = $state, revision = $revision, removed_at = $removed
                """, transaction).With("$name", r.Name).With("$agent", r.AgentId).With("$ordinal", r.Ordinal).With("$rank", r.Rank)
                .With("$node", r.NodeId).With("$state", r.State).With("$revision", (long)r.Revision)
                .With("$created", r.CreatedAt.ToUnixTimeMilliseconds()).With("$removed", r.RemovedAt?.ToUnixTimeMilliseconds())
                .ExecuteNonQueryAsync(cancellationToken);
            if (!r.Live)
                await connection.Command("DELETE FROM agent_status WHERE agent_id = $a", transaction).With("$a", r.Name).ExecuteNonQueryAsync(cancellationToken);
        }

        return () =>
        {
            foreach (var r in replicas)
            {
                _replicas[r.Name] = r;
                if (!r.Live)
                    _statuses.TryRemove(r.Name, out _);
            }
        };
    }, cancellationToken);

    public Task SaveAsync(AgentDefinition definition, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        await connection.Command("""
            INSERT INTO agents (id, node_id, definition) VALUES ($id, $node, $json)
            ON CONFLICT (id) DO UPDATE SET node_id = $node, definition = $json
            """, transaction).With("$id", definition.Id).With("$node", definition.NodeId)
            .With("$json", JsonSerializer.Serialize(definition, Json)).ExecuteNonQueryAsync(cancellationToken);
        return () => _definitions[definition.Id] = definition;
    }, cancellationToken);

    /// <summary>Creates it, or false when an agent with its id exists.</summary>
    public async Task<bool> CreateAsync(AgentDefinition definition, CancellationToken cancellationToken)
    {
        if (_definitions.ContainsKey(definition.Id))
            return false;
        await SaveAsync(definition, cancellationToken);
        return true;
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        foreach (var sql in DeleteAgent)
            await connection.Command(sql, transaction).With("$id", id).ExecuteNonQueryAsync(cancellationToken);
        return () =>
        {
            _definitions.TryRemove(id, out _);
            _statuses.TryRemove(id, out _);
        };
    }, cancellationToken);

    /// <summary>The last event sequence stored for the node's event stream <paramref name="epoch"/> (0 for a new one).</summary>
    public async Task<ulong> CursorAsync(string nodeId, string epoch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var value = await connection.Command("SELECT last_sequence FROM agent_event_cursors WHERE node_id = $n AND epoch = $e")
            .With("$n", nodeId).With("$e", epoch).ExecuteScalarAsync(cancellationToken);
        return value is long sequence ? (ulong)sequence : 0;
    }

    /// <summary>Stores a node's statuses (and the runs in them) and moves its cursor, in one transaction.</summary>
    public Task RecordAsync(string nodeId, string epoch, IReadOnlyList<AgentStatus> statuses, ulong lastSequence, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            foreach (var status in statuses)
            {
                await connection.Command("""
                    INSERT INTO agent_status (agent_id, node_id, status) VALUES ($a, $n, $s)
                    ON CONFLICT (agent_id) DO UPDATE SET node_id = $n, status = $s
                    """, transaction).With("$a", status.AgentId).With("$n", nodeId).With("$s", status.ToByteArray()).ExecuteNonQueryAsync(cancellationToken);
                if (status.Run is { RunId.Length: > 0 } run)
                {
                    await connection.Command("""
                        INSERT INTO agent_runs (run_id, agent_id, node_id, started_at, run) VALUES ($r, $a, $n, $t, $b)
                        ON CONFLICT (run_id) DO UPDATE SET run = $b
                        """, transaction).With("$r", run.RunId).With("$a", status.AgentId).With("$n", nodeId)
                        .With("$t", run.StartedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0).With("$b", Public(run).ToByteArray())
                        .ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await connection.Command("""
                INSERT INTO agent_event_cursors (node_id, epoch, last_sequence) VALUES ($n, $e, $s)
                ON CONFLICT (node_id, epoch) DO UPDATE SET last_sequence = $s
                """, transaction).With("$n", nodeId).With("$e", epoch).With("$s", (long)lastSequence).ExecuteNonQueryAsync(cancellationToken);
            return () =>
            {
                foreach (var status in statuses)
                {
                    if (status.Run is not null)
                        status.Run = Public(status.Run);
                    _statuses[status.AgentId] = status;
                }
            };
        }, cancellationToken);

    /// <summary>An agent's runs, newest first.</summary>
    public async Task<IReadOnlyList<AgentRun>> RunsAsync(string agentId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var read = connection.Command("SELECT run FROM agent_runs WHERE agent_id = $a ORDER BY started_at DESC, run_id DESC LIMIT $n")
            .With("$a", agentId).With("$n", limit);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var runs = new List<AgentRun>();
        while (await reader.ReadAsync(cancellationToken))
            runs.Add(AgentRun.Parser.ParseFrom((byte[])reader[0]));
        return runs;
    }

    public void Dispose() => _write.Dispose();

    // The node's holder identity and cgroup path are its own business.
    private static AgentRun Public(AgentRun run)
    {
        var copy = run.Clone();
        copy.HolderPid = 0;
        copy.HolderStartTicks = 0;
        copy.BootId = "";
        copy.Cgroup = "";
        return copy;
    }

    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task<Action>> write, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = connection.BeginTransaction();
            var afterCommit = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            afterCommit();
        }
        finally
        {
            _write.Release();
        }
    }
}
