using Mesh.Hosting;

namespace Mesh.Hub.Health;

public static class HubHealthExtensions
{
    /// <summary>grpc.health.v1 (Grpc.AspNetCore.HealthChecks) backed by <see cref="HubReadinessCheck"/>; NOT_SERVING from the start of shutdown.</summary>
    public static IServiceCollection AddHubHealth(this IServiceCollection services)
    {
        services.AddMeshGrpcHealth().AddCheck<HubReadinessCheck>("hub");
        return services;
    }
}
