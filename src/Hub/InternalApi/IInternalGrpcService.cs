using System.Diagnostics.CodeAnalysis;
using Grpc.AspNetCore.Server;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// A gRPC service the hub serves on its internal listener (see <see cref="InternalGrpcServiceExtensions.AddInternalGrpcService{TService}"/>).
/// Every call is authenticated by <see cref="HubCallAuthenticator"/> before the handler runs, except the methods
/// listed in <see cref="AnonymousMethods"/>; handlers read the caller with <see cref="CallerContext.GetCaller"/>.
/// </summary>
public interface IInternalGrpcService
{
    /// <summary>Full method names ("/mesh.v1.Join/Enroll") callable without a token.</summary>
    IReadOnlyCollection<string> AnonymousMethods { get; }

    void Map(IEndpointRouteBuilder endpoints);
}

public static class InternalGrpcServiceExtensions
{
    /// <summary>Registers <typeparamref name="TService"/> (a generated service base's implementation) as a singleton mapped on the internal listener.</summary>
    /// <summary>What grpc-dotnet binds by reflection on a service type (its methods, found by name): kept under Native AOT.</summary>
    private const DynamicallyAccessedMemberTypes Bound =
        DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods;

    public static IServiceCollection AddInternalGrpcService<[DynamicallyAccessedMembers(Bound)] TService>(
        this IServiceCollection services, params string[] anonymousMethods)
        where TService : class
    {
        services.AddSingleton<TService>();
        services.AddSingleton<IInternalGrpcService>(new InternalGrpcService<TService>(anonymousMethods));
        return services;
    }

    private sealed class InternalGrpcService<[DynamicallyAccessedMembers(Bound)] TService>(IReadOnlyCollection<string> anonymousMethods) : IInternalGrpcService
        where TService : class
    {
        public IReadOnlyCollection<string> AnonymousMethods => anonymousMethods;

        public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<TService>();
    }
}
