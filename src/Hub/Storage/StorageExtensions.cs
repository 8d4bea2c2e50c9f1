using Mesh.Core.Configuration;

namespace Mesh.Hub.Storage;

public static class StorageExtensions
{
    public const string DatabaseFileName = "mesh.db";

    /// <summary>The database [store] chose: SQLite in data_dir (with its WAL checkpointer) or PostgreSQL, as <see cref="IHubDatabase"/>.</summary>
    public static IServiceCollection AddHubStorage(this IServiceCollection services, MeshConfig config)
    {
        services.AddSingleton<IMigrationSource, StorageMigrations>();
        services.AddSingleton<HubSettings>();
        services.AddSingleton<StoreAvailability>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreAvailability>());
        if (config.Store.Postgres is { } postgres)
        {
            return services
                .AddSingleton(sp => new PostgresDatabase(postgres, sp.GetServices<IMigrationSource>()))
                .AddSingleton<IHubDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
        }

        return services
            .AddSingleton(sp => new HubDatabase(Path.Combine(config.Server.DataDir, DatabaseFileName), sp.GetServices<IMigrationSource>(), sp.GetRequiredService<TimeProvider>()))
            .AddSingleton<IHubDatabase>(sp => sp.GetRequiredService<HubDatabase>())
            .AddHostedService<WalCheckpointer>();
    }
}
