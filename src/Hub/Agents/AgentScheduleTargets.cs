using Mesh.Hub.Agents.Replicas;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>An agent's runs that may receive schedule fires: its live runs (<see cref="AgentLiveRuns"/>).</summary>
internal sealed class AgentScheduleTargets(AgentStore store, AgentLiveRuns runs) : IScheduleTargets
{
    public bool AgentExists(string agentId) => store.Find(agentId) is not null;

    public IReadOnlyList<string> LiveRecipients(string agentId) => runs.Of(agentId);
}

/// <summary>
/// An agent's live runs, the ones new work goes to: the agent itself and its active replicas (not draining, not
/// waiting for capacity) whose state is running on a node connected to the hub; the agent first, then by ordinal.
/// </summary>
public sealed class AgentLiveRuns(AgentStore store, NodeSessionManager sessions)
{
    public IReadOnlyList<string> Of(string agentId)
    {
        if (store.Find(agentId) is not { } agent)
            return [];
        var runs = store.ReplicasOf(agentId).Where(r => r.State == ReplicaStates.Active && r.NodeId is not null).Select(r => (Name: r.Name, Node: r.NodeId!))
            .Prepend((Name: agent.Id, Node: agent.NodeId));
        return [.. runs.Where(r => sessions.IsConnected(r.Node) && store.Status(r.Name)?.State == "running").Select(r => r.Name)];
    }
}
