using System.Collections.Concurrent;
using System.Text.Json;
using Mesh.Core.Protocol;
using Mesh.Hub.Agents.Replicas;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Agents;

/// <summary>
/// Agents, their last reported status and their runs in the hub's database (<see cref="IAgentRecordStore"/>), with the
/// definitions and statuses also held in memory for the pages and the REST list. One writer at a time. An agent's
/// replicas are rows of their own (<see cref="AgentReplica"/>); what a replica runs is derived from its agent's
/// definition, so a change of the agent reaches every replica. Several hubs share the rows: each write is announced on
/// the cluster bus (<see cref="Channel"/>) and the other hubs read them again (<see cref="ReloadAsync"/>).
/// </summary>
public sealed class AgentStore(IAgentRecordStore records, IHubBus bus, LocalHub hub) : IDisposable
{
    /// <summary>"hub-id agent-id" (or "hub-id *" for replicas): the hub that wrote, and what.</summary>
    public const string Channel = "agents";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, AgentDefinition> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AgentReplica> _replicas = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _write = new(1, 1);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var (definitions, statuses) = await records.LoadAsync(cancellationToken);
        var replicas = await records.ReplicasAsync(cancellationToken);
        Replace(_definitions, definitions, d => d.Id);
        Replace(_statuses, statuses, s => s.AgentId);
        Replace(_replicas, replicas, r => r.Name);
    }

    /// <summary>Reads everything again after another hub wrote (one writer at a time, as this hub's own writes).</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => WriteAsync(() => LoadAsync(cancellationToken), cancellationToken);

    /// <summary>Whether a bus message came from another hub, and about which agent ("*": any).</summary>
    public bool FromElsewhere(string message, out string agentId)
    {
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        agentId = space < 0 ? "*" : message[(space + 1)..];
        return space < 0 || !string.Equals(message[..space], hub.Id, StringComparison.Ordinal);
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
    public Task SaveReplicasAsync(IReadOnlyList<AgentReplica> replicas, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        await records.SaveReplicasAsync(replicas, cancellationToken);
        foreach (var r in replicas)
        {
            _replicas[r.Name] = r;
            if (!r.Live)
                _statuses.TryRemove(r.Name, out _);
        }

        await AnnounceAsync("*", cancellationToken);
    }, cancellationToken);

    public Task SaveAsync(AgentDefinition definition, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        await records.SaveAsync(definition, cancellationToken);
        _definitions[definition.Id] = definition;
        await AnnounceAsync(definition.Id, cancellationToken);
    }, cancellationToken);

    /// <summary>Creates it, or false when an agent with its id exists.</summary>
    public async Task<bool> CreateAsync(AgentDefinition definition, CancellationToken cancellationToken)
    {
        if (_definitions.ContainsKey(definition.Id))
            return false;
        await SaveAsync(definition, cancellationToken);
        return true;
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => WriteAsync(async () =>
    {
        await records.DeleteAsync(id, cancellationToken);
        _definitions.TryRemove(id, out _);
        _statuses.TryRemove(id, out _);
        await AnnounceAsync(id, cancellationToken);
    }, cancellationToken);

    /// <summary>The last event sequence stored for the node's event stream <paramref name="epoch"/> (0 for a new one).</summary>
    public Task<ulong> CursorAsync(string nodeId, string epoch, CancellationToken cancellationToken) =>
        records.CursorAsync(nodeId, epoch, cancellationToken);

    /// <summary>Stores a node's statuses (and the runs in them) and moves its cursor, in one transaction.</summary>
    public Task RecordAsync(string nodeId, string epoch, IReadOnlyList<AgentStatus> statuses, ulong lastSequence, CancellationToken cancellationToken) =>
        WriteAsync(async () =>
        {
            var stored = statuses.Select(s => s.Run is null ? s : new AgentStatus(s) { Run = Public(s.Run) }).ToList();
            await records.RecordAsync(nodeId, epoch, stored, lastSequence, cancellationToken);
            foreach (var status in statuses)
            {
                if (status.Run is not null)
                    status.Run = Public(status.Run);
                _statuses[status.AgentId] = status;
            }

            foreach (var agentId in statuses.Select(s => s.AgentId).Distinct(StringComparer.Ordinal))
                await AnnounceAsync(agentId, cancellationToken);
        }, cancellationToken);

    /// <summary>An agent's runs, newest first.</summary>
    public Task<IReadOnlyList<AgentRun>> RunsAsync(string agentId, int limit, CancellationToken cancellationToken) =>
        records.RunsAsync(agentId, limit, cancellationToken);

    /// <summary>One run of the agent: its last status's run when that is the one, else from the records.</summary>
    public Task<AgentRun?> RunAsync(string agentId, string runId, CancellationToken cancellationToken) =>
        _statuses.TryGetValue(agentId, out var status) && status.Run?.RunId == runId
            ? Task.FromResult<AgentRun?>(status.Run)
            : records.RunAsync(agentId, runId, cancellationToken);

    public void Dispose() => _write.Dispose();

    internal static long StartedAtMs(AgentRun run) => run.StartedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0;

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

    private Task AnnounceAsync(string agentId, CancellationToken cancellationToken) => bus.PublishAsync(Channel, hub.Id + " " + agentId, cancellationToken);

    private static void Replace<T>(ConcurrentDictionary<string, T> map, IEnumerable<T> rows, Func<T, string> key)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            seen.Add(key(row));
            map[key(row)] = row;
        }

        foreach (var gone in map.Keys.Where(k => !seen.Contains(k)))
            map.TryRemove(gone, out _);
    }

    private async Task WriteAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken);
        try
        {
            await write();
        }
        finally
        {
            _write.Release();
        }
    }
}
