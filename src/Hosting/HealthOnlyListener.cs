using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Hosting;

/// <summary>
/// The plaintext h2c listener of [internal_grpc] health_listen: it serves <c>grpc.health.v1.Health</c> only, for
/// probes (Kubernetes gRPC probes) that cannot present client certificates. Other gRPC methods get UNIMPLEMENTED,
/// anything else 404.
/// </summary>
public static class HealthOnlyListener
{
    private static readonly ListenerMark Mark = new("Mesh.HealthOnly");

    public static void ListenHealthOnly(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<ListenOptions>? configure)
    {
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            Mark.Apply(listen);
            configure?.Invoke(listen);
        });
    }

    public static bool IsHealthOnly(IDictionary<object, object?>? connectionItems) => Mark.IsOn(connectionItems);

    public static Task FilterAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal) && context.IsGrpcMethod())
            return next(context);
        if (!context.Request.IsGrpcContentType())
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        // Trailers-Only: the status travels in the one HEADERS frame.
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = "12";
        context.Response.Headers["grpc-message"] = "Method is unimplemented on the health listener.";
        return Task.CompletedTask;
    }
}
