using Mesh.Hub.InternalApi;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Join;

public static class JoinExtensions
{
    public static IServiceCollection AddJoin(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, JoinMigrations>();
        services.AddSingleton<IJoinTokenStore, SqliteJoinTokenStore>();
        services.AddSingleton<SourceFailureLimiter>();
        services.AddSingleton<JoinTokenService>();
        services.AddSingleton<EnrollmentService>();
        services.AddSingleton<NodeRemovalService>();
        services.AddInternalGrpcService<JoinRpcService>(JoinRpcService.AnonymousMethods);
        return services;
    }
}
