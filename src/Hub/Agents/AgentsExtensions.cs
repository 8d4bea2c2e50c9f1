using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents;

public static class AgentsExtensions
{
    /// <summary>Agents: their store, the service, the push to nodes, their share of the session, and the removal check. Needs AddNodes and AddMailbox.</summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, AgentMigrations>();
        services.AddSingleton<AgentStore>();
        services.AddSingleton<AgentPush>();
        services.AddSingleton<AgentMetrics>();
        services.AddSingleton<IObservableInstruments>(sp => sp.GetRequiredService<AgentMetrics>());
        services.AddSingleton<AgentService>();
        services.AddSingleton<IHubSessionPart, AgentSessionPart>();
        services.AddSingleton<INodeRemovalCheck, AgentNodeRemovalCheck>();
        return services;
    }

    public static Task InitializeAgentsAsync(this IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<AgentStore>().LoadAsync(cancellationToken);

    public static void MapAgents(this WebApplication app, RouteGroupBuilder admin) => admin.MapAgentEndpoints();
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
