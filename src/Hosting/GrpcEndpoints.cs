using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;

namespace Mesh.Hosting;

/// <summary>Whether a request was routed to a gRPC method of grpc-dotnet (known method of a mapped service).</summary>
public static class GrpcEndpoints
{
    public static bool IsGrpcMethod(this HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;

    /// <summary>Content type application/grpc or application/grpc+…, as grpc-dotnet and every gRPC client send it.</summary>
    public static bool IsGrpcContentType(this HttpRequest request) =>
        request.ContentType is { } type
        && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (type.Length == "application/grpc".Length || type["application/grpc".Length] is '+' or ';');
}
