using Mesh.Hosting.Metrics;
using Mesh.Hub.Agents.Output;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Storage;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

public static class AgentsExtensions
{
    /// <summary>
    /// Agents: their store, the service, the push to nodes, their share of the session, the removal check, and the
    /// pages (Agents, an agent, the section on a node's page) with their live feed. Needs AddNodes and AddMailbox.
    /// </summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, AgentMigrations>();
        services.AddSingleton<IAgentRecordStore, AgentRecordStore>();
        services.AddSingleton<AgentStore>();
        services.AddHostedService<AgentsAcrossHubs>();
        services.AddSingleton<AgentPush>();
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<IObservableInstruments>(sp => sp.GetRequiredService<AgentMetrics>());
        services.AddSingleton<AgentService>();
        services.AddSingleton<AgentPlacement>();
        services.AddSingleton<IMigrationSource, Codebases.CodebaseMigrations>();
        services.AddSingleton<Codebases.CodebaseStore>();
        services.AddSingleton<Codebases.CodebaseRegistry>();
        services.AddSingleton<INodeRemovalCheck, Codebases.CodebaseNodeRemovalCheck>();
        services.AddSingleton<Replicas.ReplicaService>();
        services.AddSingleton<Replicas.ReplicaSignal>();
        services.AddSingleton<IAgentChangeListener>(sp => sp.GetRequiredService<Replicas.ReplicaSignal>());
        services.AddSingleton<INodeChangeListener>(sp => sp.GetRequiredService<Replicas.ReplicaSignal>());
        services.AddHostedService<Replicas.ReplicaReconciler>();
        services.AddSingleton<AgentLiveRuns>();
        services.AddSingleton<Mailbox.Schedules.IScheduleTargets, AgentScheduleTargets>();
        services.AddSingleton<IMigrationSource, Conversations.ConversationMigrations>();
        services.AddSingleton<Conversations.ConversationStore>();
        services.AddSingleton<Conversations.AgentRouter>();
        services.AddSingleton<Replicas.ReplicaActivityReader>();
        services.AddSingleton<Mailbox.Messages.IAgentRouter>(sp => sp.GetRequiredService<Conversations.AgentRouter>());
        services.AddSchedules();
        services.AddSingleton<AgentWorktrees>();
        services.AddSingleton<AgentInput>();
        services.AddSingleton<Output.OutputFromNode>();
        services.AddSingleton<IHubSessionPart, AgentSessionPart>();
        services.AddSingleton(sp => new Output.OutputFiles(Path.Combine(sp.GetRequiredService<Core.Configuration.MeshConfig>().Server.DataDir, "output"),
            sp.GetRequiredService<Core.Configuration.MeshConfig>().HubOutput, sp.GetRequiredService<ILogger<Output.OutputFiles>>()));
        services.AddSingleton<IHubSessionPart, Output.OutputSessionPart>();
        services.AddHostedService<Output.OutputStateSaver>();
        services.AddSingleton<Output.OutputSignal>();
        services.AddSingleton(new Output.OutputReaders(Output.OutputStream.MaxStreamsPerUser));
        services.AddSingleton<Output.IOutputListener>(sp => sp.GetRequiredService<Output.OutputSignal>());
        services.AddSingleton<IAgentChangeListener>(sp => sp.GetRequiredService<Output.OutputSignal>());
        services.AddSingleton<INodeRemovalCheck, AgentNodeRemovalCheck>();
        services.AddSingleton<AgentsFeed>();
        services.AddSingleton<IAgentChangeListener>(sp => sp.GetRequiredService<AgentsFeed>());
        services.AddSingleton<INodeChangeListener>(sp => sp.GetRequiredService<AgentsFeed>());
        services.AddSingleton(new UiNavItem("Agents", "/agents", 25));
        services.AddSingleton(new NodeDetailSection("/Agents/Pages/_NodeAgents.cshtml", 10));
        services.AddSingleton(new NodeDetailSection("/Agents/Pages/_NodeWorktrees.cshtml", 20));
        return services;
    }

    public static async Task InitializeAgentsAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<AgentStore>().LoadAsync(cancellationToken);
        await services.GetRequiredService<Codebases.CodebaseRegistry>().LoadAsync(cancellationToken);
    }

    /// <summary>The REST API (on the /api/admin group) and the agents pages' live streams.</summary>
    public static void MapAgents(this WebApplication app, RouteGroupBuilder admin)
    {
        admin.MapAgentEndpoints().MapOutputEndpoints();
        admin.MapAgentInputEndpoints();
        Codebases.CodebaseEndpoints.MapCodebaseEndpoints(admin);
        app.MapAgentsStreams();
        app.MapOutputStream();
        app.MapOutputDownload();
    }
}

/// <summary>A node with agents placed on it is not removed until they are deleted (their definitions would be lost).</summary>
internal sealed class AgentNodeRemovalCheck(AgentStore store) : INodeRemovalCheck
{
    public string? Refusal(string nodeId)
    {
        var placed = store.OnNode(nodeId);
        return placed.Count == 0 ? null
            : $"node '{nodeId}' has {placed.Count} agent(s) placed on it ({string.Join(", ", placed.Take(5).Select(a => a.Id))}{(placed.Count > 5 ? ", …" : "")}); delete them or create them on another node first.";
    }
}
