using Mesh.Core.Configuration;

namespace Mesh.Hub.Storage;

public static class StorageExtensions
{
    public const string DatabaseFileName = "mesh.db";

    public static IServiceCollection AddHubStorage(this IServiceCollection services, MeshConfig config) =>
        services
            .AddSingleton(sp => new HubDatabase(Path.Combine(config.Server.DataDir, DatabaseFileName), sp.GetServices<IMigrationSource>(), sp.GetRequiredService<TimeProvider>()))
            .AddHostedService<WalCheckpointer>();
}
