using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Rpc.Reflection;

public static class RpcReflectionExtensions
{
    /// <summary>
    /// Maps <c>grpc.reflection.v1alpha.ServerReflection</c> describing the services of <paramref name="files"/>
    /// (pass the generated <c>…Reflection.Descriptor</c> of each proto file whose services are mapped).
    /// </summary>
    public static IEndpointConventionBuilder MapRpcReflection(this IEndpointRouteBuilder endpoints, params FileDescriptor[] files) =>
        endpoints.MapRpcService(new RpcReflectionService(files).CreateDefinition());
}
