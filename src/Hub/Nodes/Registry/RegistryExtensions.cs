using Mesh.Hosting.Metrics;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Registry;

public static class RegistryExtensions
{
    private const string BackendStore = "backend";

    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, RegistryMigrations>();
        // The registry writes through the backend store; everyone else through the notifying wrapper, which tells the registry.
        services.AddKeyedSingleton<INodeStore, NodeStore>(BackendStore);
        services.AddSingleton<INodeStore>(sp => new NotifyingNodeStore(sp.GetRequiredKeyedService<INodeStore>(BackendStore), sp.GetRequiredService<NodeRegistry>()));
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
