using Mesh.Rpc.Internal;
using Mesh.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mesh.Rpc.Health;

/// <summary>
/// On connections accepted by a health-only listener, lets through only <c>/grpc.health.v1.Health/*</c>:
/// other gRPC paths get UNIMPLEMENTED, anything else 404. Runs before routing.
/// </summary>
internal sealed class HealthOnlyFilter : IStartupFilter
{
    public const string ConnectionItemKey = "Mesh.Rpc.HealthOnly";
    public static readonly object Marker = new();

    private const string HealthPrefix = "/" + RpcHealthService.ServiceName + "/";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(static (context, nextMiddleware) =>
        {
            if (!IsHealthOnlyConnection(context) || context.Request.Path.StartsWithSegments(HealthPrefix.TrimEnd('/'), StringComparison.Ordinal))
            {
                return nextMiddleware(context);
            }

            if (GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
            {
                ServerCallDispatcher.WriteTrailersOnly(context, ServerStatusMapper.Unimplemented);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }

            return Task.CompletedTask;
        });
        next(app);
    };

    private static bool IsHealthOnlyConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ConnectionItemKey, out var marker) == true
        && ReferenceEquals(marker, Marker);
}
