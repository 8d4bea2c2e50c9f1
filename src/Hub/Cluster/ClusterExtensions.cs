using Mesh.Core.Configuration;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Cluster;

public static class ClusterExtensions
{
    /// <summary>
    /// This hub's id (data_dir/hub-id), the cluster bus and the hubs' leases for the store [store] chose: in-process and
    /// one hub on SQLite, LISTEN/NOTIFY and lease rows on PostgreSQL. Needs AddHubStorage.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, MeshConfig config)
    {
        services.AddSingleton<IMigrationSource, ClusterMigrations>();
        services.AddSingleton(_ => LocalHub.Load(config.Server.DataDir));
        if (config.Store.Postgres is { } postgres)
        {
            services.AddOptions<ClusterOptions>().Configure(o => (o.LeaseDuration, o.RenewInterval) = (postgres.Lease, postgres.Lease / 3));
            services.AddSingleton<PostgresHubBus>();
            services.AddSingleton<IHubBus>(sp => sp.GetRequiredService<PostgresHubBus>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresHubBus>());
            services.AddSingleton<PostgresHubLeases>();
            services.AddSingleton<IHubLeases>(sp => sp.GetRequiredService<PostgresHubLeases>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresHubLeases>());
        }
        else
        {
            services.AddSingleton<InProcessHubBus>();
            services.AddSingleton<IHubBus>(sp => sp.GetRequiredService<InProcessHubBus>());
            services.AddSingleton<IHubLeases, SingleHubLeases>();
        }

        return services;
    }
}
