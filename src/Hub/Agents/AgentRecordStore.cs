using System.Text.Json;
using Google.Protobuf;
using Mesh.Core.Protocol;
using Mesh.Hub.Storage;
using System.Data.Common;

namespace Mesh.Hub.Agents;

/// <summary>Agents, their statuses, runs, event cursors and replicas in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class AgentRecordStore(IHubDatabase database) : IAgentRecordStore
{
    private static readonly string[] DeleteAgent = ["DELETE FROM agents WHERE id = @id", "DELETE FROM agent_status WHERE agent_id = @id", "DELETE FROM agent_runs WHERE agent_id = @id"];

    public async Task<(IReadOnlyList<AgentDefinition> Definitions, IReadOnlyList<AgentStatus> Statuses)> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var definitions = new List<AgentDefinition>();
        await using (var read = connection.Command("SELECT definition FROM agents"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                definitions.Add(JsonSerializer.Deserialize(reader.GetString(0), AgentStore.Json)!);
        }

        var statuses = new List<AgentStatus>();
        await using (var read = connection.Command("SELECT status FROM agent_status"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                statuses.Add(AgentStatus.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
        }

        return (definitions, statuses);
    }

    public Task SaveAsync(AgentDefinition definition, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
        await connection.Command("""
            INSERT INTO agents (id, node_id, definition) VALUES (@id, @node, @json)
            ON CONFLICT (id) DO UPDATE SET node_id = @node, definition = @json
            """, transaction).With("id", definition.Id).With("node", definition.NodeId)
            .With("json", JsonSerializer.Serialize(definition, AgentStore.Json)).ExecuteNonQueryAsync(cancellationToken), cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        foreach (var sql in DeleteAgent)
            await connection.Command(sql, transaction).With("id", id).ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    public async Task<ulong> CursorAsync(string nodeId, string epoch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var value = await connection.Command("SELECT last_sequence FROM agent_event_cursors WHERE node_id = @n AND epoch = @e")
            .With("n", nodeId).With("e", epoch).ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task RecordAsync(string nodeId, string epoch, IReadOnlyList<AgentStatus> statuses, ulong lastSequence, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            foreach (var status in statuses)
            {
                await connection.Command("""
                    INSERT INTO agent_status (agent_id, node_id, status) VALUES (@a, @n, @s)
                    ON CONFLICT (agent_id) DO UPDATE SET node_id = @n, status = @s
                    """, transaction).With("a", status.AgentId).With("n", nodeId).With("s", status.ToByteArray()).ExecuteNonQueryAsync(cancellationToken);
                if (status.Run is { RunId.Length: > 0 } run)
                {
                    await connection.Command("""
                        INSERT INTO agent_runs (run_id, agent_id, node_id, started_at, run) VALUES (@r, @a, @n, @t, @b)
                        ON CONFLICT (run_id) DO UPDATE SET run = @b
                        """, transaction).With("r", run.RunId).With("a", status.AgentId).With("n", nodeId)
                        .With("t", AgentStore.StartedAtMs(run)).With("b", run.ToByteArray())
                        .ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await connection.Command("""
                INSERT INTO agent_event_cursors (node_id, epoch, last_sequence) VALUES (@n, @e, @s)
                ON CONFLICT (node_id, epoch) DO UPDATE SET last_sequence = @s
                """, transaction).With("n", nodeId).With("e", epoch).With("s", (long)lastSequence).ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<AgentRun>> RunsAsync(string agentId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT run FROM agent_runs WHERE agent_id = @a ORDER BY started_at DESC, run_id DESC LIMIT @n")
            .With("a", agentId).With("n", limit);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var runs = new List<AgentRun>();
        while (await reader.ReadAsync(cancellationToken))
            runs.Add(AgentRun.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
        return runs;
    }

    public async Task<AgentRun?> RunAsync(string agentId, string runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT run FROM agent_runs WHERE run_id = @r AND agent_id = @a").With("r", runId).With("a", agentId);
        return await read.ExecuteScalarAsync(cancellationToken) is byte[] run ? AgentRun.Parser.ParseFrom(run) : null;
    }

    public async Task<IReadOnlyList<Replicas.AgentReplica>> ReplicasAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT name, agent_id, ordinal, rank, node_id, state, revision, created_at, removed_at FROM agent_replicas");
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var replicas = new List<Replicas.AgentReplica>();
        while (await reader.ReadAsync(cancellationToken))
            replicas.Add(Replicas.AgentReplica.FromRow(reader));
        return replicas;
    }

    public Task SaveReplicasAsync(IReadOnlyList<Replicas.AgentReplica> replicas, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        foreach (var r in replicas)
        {
            await connection.Command("""
                INSERT INTO agent_replicas (name, agent_id, ordinal, rank, node_id, state, revision, created_at, removed_at)
                VALUES (@name, @agent, @ordinal, @rank, @node, @state, @revision, @created, @removed)
                ON CONFLICT (name) DO UPDATE SET node_id = @node, state = @state, revision = @revision, removed_at = @removed
                """, transaction).With("name", r.Name).With("agent", r.AgentId).With("ordinal", r.Ordinal).With("rank", r.Rank)
                .With("node", r.NodeId).With("state", r.State).With("revision", (long)r.Revision)
                .With("created", r.CreatedAt.ToUnixTimeMilliseconds()).With("removed", r.RemovedAt?.ToUnixTimeMilliseconds())
                .ExecuteNonQueryAsync(cancellationToken);
            if (!r.Live)
                await connection.Command("DELETE FROM agent_status WHERE agent_id = @a", transaction).With("a", r.Name).ExecuteNonQueryAsync(cancellationToken);
        }
    }, cancellationToken);

    private async Task WriteAsync(Func<DbConnection, DbTransaction, Task> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await write(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>An agent definition as its row stores it (web defaults: camelCase), source-generated for Native AOT.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(AgentDefinition))]
internal sealed partial class AgentStoreJson : System.Text.Json.Serialization.JsonSerializerContext;
