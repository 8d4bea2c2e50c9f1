using Mesh.Core.Protocol;
using Mesh.Node.Agents.State;
using Mesh.Node.Session;

namespace Mesh.Node.Agents;

/// <summary>The hub's set of agents for this node: stored first (so a restarted node keeps enforcing it), then reconciled.</summary>
internal sealed class ApplyAgentsCommandHandler(AgentStore store, AgentSupervisor supervisor) : INodeCommandHandler
{
    public NodeCommand.KindOneofCase Kind => NodeCommand.KindOneofCase.ApplyAgents;

    public ValueTask HandleAsync(NodeCommand command, CommandResult result, CancellationToken cancellationToken)
    {
        var specs = command.ApplyAgents.Agents;
        var problem = specs.GroupBy(s => s.AgentId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice
            ? $"agent '{twice.Key}' appears twice"
            : specs.FirstOrDefault(s => !Core.Configuration.NodeIds.IsValid(s.AgentId, out _)) is { } bad ? $"agent id '{bad.AgentId}' is not valid" : null;
        if (problem is not null)
        {
            result.Ok = false;
            result.Error = problem;
            return ValueTask.CompletedTask;
        }

        store.ReplaceSpecs(specs);
        supervisor.Apply([.. specs]);
        return ValueTask.CompletedTask;
    }
}
