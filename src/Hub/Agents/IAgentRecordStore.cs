using Mesh.Core.Protocol;

namespace Mesh.Hub.Agents;

/// <summary>
/// Persistence of agents: definitions, each agent's last reported status, its runs and each node's event cursor.
/// <see cref="AgentStore"/> holds definitions and statuses in memory on top of it.
/// </summary>
public interface IAgentRecordStore
{
    Task<(IReadOnlyList<AgentDefinition> Definitions, IReadOnlyList<AgentStatus> Statuses)> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the definition.</summary>
    Task SaveAsync(AgentDefinition definition, CancellationToken cancellationToken);

    /// <summary>Deletes the agent, its status and its runs in one transaction.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>The last event sequence stored for the node's event stream <paramref name="epoch"/> (0 for a new one).</summary>
    Task<ulong> CursorAsync(string nodeId, string epoch, CancellationToken cancellationToken);

    /// <summary>Stores a node's statuses (and the runs in them, as given) and moves its cursor, in one transaction.</summary>
    Task RecordAsync(string nodeId, string epoch, IReadOnlyList<AgentStatus> statuses, ulong lastSequence, CancellationToken cancellationToken);

    /// <summary>An agent's runs, newest first (by start time, then run id).</summary>
    Task<IReadOnlyList<AgentRun>> RunsAsync(string agentId, int limit, CancellationToken cancellationToken);

    /// <summary>One run of the agent, or null when the hub has no record of it.</summary>
    Task<AgentRun?> RunAsync(string agentId, string runId, CancellationToken cancellationToken);

    /// <summary>Every replica ever made (removed ones too: their names are never given out again).</summary>
    Task<IReadOnlyList<Replicas.AgentReplica>> ReplicasAsync(CancellationToken cancellationToken);

    /// <summary>Creates or changes replicas in one transaction; a removed one's status row goes (its runs stay).</summary>
    Task SaveReplicasAsync(IReadOnlyList<Replicas.AgentReplica> replicas, CancellationToken cancellationToken);
}
