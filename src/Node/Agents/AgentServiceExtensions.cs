using Mesh.Core.Configuration;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Agents.State;
using Mesh.Node.Agents.Worktrees;
using Mesh.Node.Hosting;
using Mesh.Node.Session;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Node.Agents;

public static class AgentServiceExtensions
{
    /// <summary>The agent runtime: its store, the supervisor loop, the apply-agents command and its share of the session.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services, MeshConfig config)
    {
        services.AddSingleton(_ => AgentRuntimeOptions.From(config));
        services.AddSingleton(_ => new AgentStore(config.Server.DataDir));
        services.AddSingleton(_ => RunCgroups.Probe());
        services.AddSingleton<AgentEventSignal>();
        services.AddSingleton<ActorTokenFiles>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton(_ => new WorktreeStore(config.Server.DataDir));
        services.AddSingleton<RepoLocks>();
        services.AddSingleton<WorktreeDiskUsage>();
        services.AddSingleton<WorktreeManager>();
        services.AddSingleton<WorktreeInspector>();
        services.AddSingleton<INodeCommandHandler, WorktreeCommandHandler>();
        services.AddSingleton<AgentRunMetrics>();
        services.AddSingleton<AgentSupervisor>();
        services.AddSingleton<INodeLoop>(sp => sp.GetRequiredService<AgentSupervisor>());
        services.AddSingleton<INodeCommandHandler, ApplyAgentsCommandHandler>();
        services.AddSingleton<INodeCommandHandler, Input.AgentInputCommandHandler>();
        services.AddSingleton<INodeCommandHandler, Output.OutputReadCommandHandler>();
        services.AddSingleton<INodeSessionPart, AgentSessionPart>();
        services.AddSingleton<INodeSessionPart, Output.OutputRelay>();
        return services;
    }
}
