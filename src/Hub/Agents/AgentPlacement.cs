using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Agents;

/// <summary>
/// Where a new run (an agent or one of its replicas) may go: online nodes that are not draining, have every
/// capability asked for (or the one node asked for), and have room under their [node] max_agents counting every
/// agent and replica placed there. Best first: fewest runs of this agent already there (one per node first), then
/// fewest runs, then node id.
/// </summary>
public sealed class AgentPlacement(AgentStore store, NodeRegistry registry)
{
    /// <param name="planned">Runs chosen in this same decision but not stored yet, per node.</param>
    public IReadOnlyList<NodeView> Candidates(string placement, IReadOnlyList<string> capabilities, string? agentId, IReadOnlyDictionary<string, int>? planned = null)
    {
        var eligible = placement == AgentPolicies.Auto
            ? registry.BestNodes(capabilities)
            : registry.Get(placement) is { Status: NodeStatus.Online or NodeStatus.Degraded, Draining: false } pinned ? [pinned] : [];
        return
        [
            .. eligible
                .Select(n => (Node: n, Placed: store.OnNode(n.Id), Planned: planned?.GetValueOrDefault(n.Id) ?? 0))
                .Where(c => c.Node.MaxAgents <= 0 || c.Placed.Count + c.Planned < c.Node.MaxAgents)
                .OrderBy(c => c.Planned + c.Placed.Count(a => agentId is not null && (a.Id == agentId || a.ReplicaOf == agentId)))
                .ThenBy(c => c.Placed.Count + c.Planned)
                .ThenBy(c => c.Node.Id, StringComparer.Ordinal)
                .Select(c => c.Node),
        ];
    }

    /// <summary>Why <see cref="Candidates"/> is empty, for the operator.</summary>
    public string NoRoom(string placement, IReadOnlyList<string> capabilities)
    {
        var eligible = placement == AgentPolicies.Auto ? registry.BestNodes(capabilities).Count : registry.Get(placement) is { Draining: false } ? 1 : 0;
        return eligible > 0 ? "no capacity: every eligible node is at its max_agents"
            : placement != AgentPolicies.Auto ? $"no capacity: node '{placement}' is offline or draining"
            : capabilities.Count == 0 ? "no capacity: no node is online and taking work" : $"no capacity: no online node that is not draining has the capabilities [{string.Join(", ", capabilities)}]";
    }
}
