using Mesh.Hub.Storage;

namespace Mesh.Hub.Registry;

public static class RegistryExtensions
{
    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, RegistryMigrations>();
        services.AddSingleton<INodeStore, SqliteNodeStore>();
        return services;
    }
}
