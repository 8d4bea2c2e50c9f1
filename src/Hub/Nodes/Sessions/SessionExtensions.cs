using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes.Sessions;

public static class SessionExtensions
{
    /// <summary>Node sessions (mesh.v1.NodeSession) on the internal listener. Needs AddRegistry and AddRevocation.</summary>
    public static IServiceCollection AddNodeSessions(this IServiceCollection services)
    {
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
