using Mesh.Core.Configuration;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions.Routing;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Sessions;

public static class SessionExtensions
{
    /// <summary>
    /// Node sessions (mesh.v1.NodeSession) on the internal listener, and where commands for nodes attached to another
    /// hub go: nowhere on SQLite (one hub), through <c>node_commands</c> and the cluster bus on PostgreSQL. Needs
    /// AddRegistry, AddRevocation and AddCluster.
    /// </summary>
    public static IServiceCollection AddNodeSessions(this IServiceCollection services, MeshConfig config)
    {
        services.AddSingleton<IMigrationSource, RoutingMigrations>();
        if (config.Store.Postgres is not null)
        {
            services.AddSingleton<RoutingStore>();
            services.AddSingleton<ClusterSessionRouter>();
            services.AddSingleton<ISessionRouter>(sp => sp.GetRequiredService<ClusterSessionRouter>());
            services.AddHostedService(sp => sp.GetRequiredService<ClusterSessionRouter>());
            services.AddHostedService<RoutedCommandRunner>();
        }
        else
        {
            services.AddSingleton<ISessionRouter, SingleHubRouter>();
        }

        services.AddOptions<NodeSessionOptions>();
        services.AddSingleton<SessionMetrics>();
        services.AddSingleton<ReconnectLimiter>();
        services.AddSingleton<HeartbeatLimiter>();
        services.AddSingleton<NodeSessionManager>();
        services.AddSingleton<INodeSessionExpiry>(sp => sp.GetRequiredService<NodeSessionManager>());
        services.AddSingleton<NodeHealthChecker>();
        services.AddInternalGrpcService<SessionRpcService>();
        return services;
    }
}
