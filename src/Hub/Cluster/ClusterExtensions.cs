using Mesh.Core.Configuration;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Cluster;

public static class ClusterExtensions
{
    /// <summary>The cluster bus for the store [store] chose: in-process on SQLite (one hub), LISTEN/NOTIFY on PostgreSQL. Needs AddHubStorage.</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, MeshConfig config)
    {
        if (config.Store.Postgres is not null)
        {
            services.AddSingleton<PostgresHubBus>();
            services.AddSingleton<IHubBus>(sp => sp.GetRequiredService<PostgresHubBus>());
            services.AddHostedService(sp => sp.GetRequiredService<PostgresHubBus>());
        }
        else
        {
            services.AddSingleton<InProcessHubBus>();
            services.AddSingleton<IHubBus>(sp => sp.GetRequiredService<InProcessHubBus>());
        }

        return services;
    }
}
