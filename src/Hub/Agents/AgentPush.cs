using Mesh.Core.Protocol;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Agents;

/// <summary>
/// Sends a node the complete set of agents placed on it (ApplyAgents) over its live session: after every change
/// and when the node attaches. One push per node at a time, each reading the set when it is sent, so the last one
/// to arrive is the newest. A node that is away gets the set when it comes back.
/// </summary>
public sealed class AgentPush(AgentStore store, NodeSessionManager sessions, Codebases.CodebaseRegistry codebases, ILogger<AgentPush> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    public async Task PushAsync(string nodeId, CancellationToken cancellationToken)
    {
        if (!sessions.IsConnected(nodeId))
            return;
        var gate = _gates.GetOrAdd(nodeId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var apply = new ApplyAgentsCommand();
            apply.Agents.AddRange(store.OnNode(nodeId).Select(a => WithCodebase(a.ToSpec(), a, nodeId)));
            var result = await sessions.SendAsync(nodeId, new NodeCommand { ApplyAgents = apply }, Timeout, cancellationToken);
            if (!result.Ok)
                AgentsLog.PushRefused(logger, nodeId, result.Error);
        }
        catch (SessionCommandException ex)
        {
            AgentsLog.PushFailed(logger, nodeId, ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    // A run of an agent that names a codebase learns where the repository is on its node (MESH_* is the hub's to set).
    private AgentSpec WithCodebase(AgentSpec spec, AgentDefinition agent, string nodeId)
    {
        if (agent.Codebase is { } name && codebases.Find(name)?.Paths.GetValueOrDefault(nodeId) is { } path)
        {
            spec.Environment["MESH_CODEBASE"] = name;
            spec.Environment["MESH_CODEBASE_PATH"] = path;
        }

        return spec;
    }
}
