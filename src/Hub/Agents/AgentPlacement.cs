using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Agents;

/// <summary>
/// Where a new run (an agent or one of its replicas) may go: online nodes that are not draining, have every
/// capability asked for (or the one node asked for), and have room under their [node] max_agents counting every
/// agent and replica placed there. Best first: fewest runs of this agent already there (one per node first), then
/// fewest runs, then node id.
/// </summary>
public sealed class AgentPlacement(AgentStore store, NodeRegistry registry, Codebases.CodebaseRegistry codebases)
{
    /// <param name="planned">Runs chosen in this same decision but not stored yet, per node.</param>
    /// <param name="codebase">Only the nodes this codebase is bound to.</param>
    public IReadOnlyList<NodeView> Candidates(string placement, IReadOnlyList<string> capabilities, string? agentId, IReadOnlyDictionary<string, int>? planned = null,
        string? codebase = null)
    {
        var eligible = placement == AgentPolicies.Auto
            ? registry.BestNodes(capabilities)
            : registry.Get(placement) is { Status: NodeStatus.Online or NodeStatus.Degraded, Draining: false } pinned ? [pinned] : [];
        var bound = codebase is null ? null : codebases.Find(codebase)?.Paths;
        return
        [
            .. eligible
                .Where(n => codebase is null || bound?.ContainsKey(n.Id) == true)
                .Select(n => (Node: n, Placed: store.OnNode(n.Id), Planned: planned?.GetValueOrDefault(n.Id) ?? 0))
                .Where(c => c.Node.MaxAgents <= 0 || c.Placed.Count + c.Planned < c.Node.MaxAgents)
                .OrderBy(c => c.Planned + c.Placed.Count(a => agentId is not null && (a.Id == agentId || a.ReplicaOf == agentId)))
                .ThenBy(c => c.Placed.Count + c.Planned)
                .ThenBy(c => c.Node.Id, StringComparer.Ordinal)
                .Select(c => c.Node),
        ];
    }

    /// <summary>
    /// The codebase an agent names, checked: it exists, and a pinned node is one it is bound to. Returns its name.
    /// </summary>
    public string CheckCodebase(string name, string? pinned)
    {
        var codebase = codebases.Find(name)
            ?? throw new AgentException(AgentError.InvalidArgument, $"codebase '{DisplayText.Truncate(name)}' does not exist: create it first (POST /api/admin/codebases).", "codebase");
        if (pinned is not null && pinned != AgentPolicies.Auto && !codebase.Paths.ContainsKey(pinned))
        {
            throw new AgentException(AgentError.InvalidArgument,
                $"node '{DisplayText.Truncate(pinned)}' is not bound to codebase '{name}' (bound: {string.Join(", ", codebase.Paths.Keys.Order(StringComparer.Ordinal))}); place the agent on one of those, or \"auto\".", "placement");
        }

        return codebase.Name;
    }

    /// <summary>Why <see cref="Candidates"/> is empty, for the operator.</summary>
    public string NoRoom(string placement, IReadOnlyList<string> capabilities, string? codebase)
    {
        if (codebase is not null && placement == AgentPolicies.Auto && Candidates(placement, capabilities, null).Count > 0)
            return $"no capacity: no node bound to codebase '{codebase}' is online, taking work, with the capabilities and room under its max_agents";
        return NoRoom(placement, capabilities);
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
