using Mesh.Hosting.Metrics;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Registry;

public static class RegistryExtensions
{
    internal const string BackendStore = "backend";

    /// <param name="clustered">Several hubs on one PostgreSQL database: node changes travel between them on the cluster bus.</param>
    public static IServiceCollection AddRegistry(this IServiceCollection services, bool clustered = false)
    {
        if (clustered)
        {
            services.AddSingleton<NodeChangesBus>();
            services.AddSingleton<INodeStoreChanges>(sp => sp.GetRequiredService<NodeChangesBus>());
            services.AddHostedService(sp => sp.GetRequiredService<NodeChangesBus>());
        }
        else
        {
            services.AddSingleton<INodeStoreChanges, SingleHubNodeChanges>();
        }

        services.AddSingleton<IMigrationSource, RegistryMigrations>();
        // The registry writes through the backend store; everyone else through the notifying wrapper, which tells the registry.
        services.AddKeyedSingleton<INodeStore, NodeStore>(BackendStore);
        services.AddSingleton<INodeStore>(sp => new NotifyingNodeStore(sp.GetRequiredKeyedService<INodeStore>(BackendStore), sp.GetRequiredService<NodeRegistry>(), sp.GetRequiredService<INodeStoreChanges>()));
        services.AddOptions<NodeRegistryOptions>();
        services.AddSingleton(sp => new NodeRegistry(
            sp.GetRequiredKeyedService<INodeStore>(BackendStore), sp.GetServices<INodeChangeListener>(), sp.GetServices<INodeSessionExpiry>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NodeRegistryOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NodeRegistry>>()));
        services.AddSingleton<NodeAdministration>();
        services.AddSingleton<IObservableInstruments, RegistryMetrics>();
        services.AddHostedService<LiveStateFlusher>();
        return services;
    }
}
