using Mesh.Hub.InternalApi;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Revocation;

public static class RevocationExtensions
{
    public static IServiceCollection AddRevocation(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, RevocationMigrations>();
        services.AddSingleton<IRevocationStore, RevocationStore>();
        services.AddSingleton<RevocationRegistry>();
        services.AddSingleton<INodeRevocations>(sp => sp.GetRequiredService<RevocationRegistry>());
        return services;
    }
}
