using Mesh.Hub.Storage;

namespace Mesh.Hub.Registry;

public static class RegistryExtensions
{
    /// <summary>Most SSE subscribers (browsers, REST streams) at once; more get 503.</summary>
    public const int MaxChangeSubscribers = 2000;

    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, RegistryMigrations>();
        services.AddSingleton<SqliteNodeStore>();
        services.AddSingleton<NodeStoreWrites>();
        services.AddSingleton<INodeStore>(sp => new NotifyingNodeStore(sp.GetRequiredService<SqliteNodeStore>(), sp.GetRequiredService<NodeStoreWrites>()));
        services.AddSingleton(new NodeChangeFeed(MaxChangeSubscribers));
        services.AddOptions<NodeRegistryOptions>();
        services.AddSingleton(sp => new NodeRegistry(
            sp.GetRequiredService<INodeStore>(), sp.GetRequiredService<NodeStoreWrites>(), sp.GetRequiredService<NodeChangeFeed>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<NodeRegistryOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<NodeRegistry>>()));
        services.AddSingleton<NodeAdministration>();
        services.AddHostedService<LiveStateFlusher>();
        return services;
    }
}
