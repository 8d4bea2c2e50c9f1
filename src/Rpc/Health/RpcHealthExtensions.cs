using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.Rpc.Health;

public static class RpcHealthExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="RpcHealthService"/> (NOT_SERVING on shutdown) and the filter that keeps
    /// health-only listeners (<see cref="RpcKestrelExtensions.ListenRpcHealthOnly"/>) to the health service.
    /// </summary>
    public static IServiceCollection AddRpcHealth(this IServiceCollection services)
    {
        services.AddRpc();
        services.TryAddSingleton<RpcHealthService>();
        services.AddHostedService<HealthShutdownService>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, HealthOnlyFilter>());
        return services;
    }

    /// <summary>Maps <c>grpc.health.v1.Health</c> backed by the registered <see cref="RpcHealthService"/>.</summary>
    public static IEndpointConventionBuilder MapRpcHealth(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapRpcService(endpoints.ServiceProvider.RpcHealthDefinition());

    /// <summary>The registered <c>grpc.health.v1.Health</c> service's definition (for <c>RunRpcServices</c>).</summary>
    public static RpcServiceDefinition RpcHealthDefinition(this IServiceProvider services) =>
        services.GetRequiredService<RpcHealthService>().CreateDefinition();
}
