using Mesh.Hosting.Metrics;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Registry;

public static class RegistryExtensions
{
    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, RegistryMigrations>();
        services.AddSingleton<SqliteNodeStore>();
        services.AddSingleton<INodeStore>(sp => new NotifyingNodeStore(sp.GetRequiredService<SqliteNodeStore>(), sp.GetRequiredService<NodeRegistry>()));
        services.AddOptions<NodeRegistryOptions>();
        services.AddSingleton(sp => new NodeRegistry(
            sp.GetRequiredService<SqliteNodeStore>(), sp.GetServices<INodeChangeListener>(), sp.GetServices<INodeSessionExpiry>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NodeRegistryOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NodeRegistry>>()));
        services.AddSingleton<NodeAdministration>();
        services.AddSingleton<IObservableInstruments, RegistryMetrics>();
        services.AddHostedService<LiveStateFlusher>();
        return services;
    }
}
