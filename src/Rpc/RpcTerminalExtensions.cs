using System.Collections.Frozen;
using Mesh.Rpc.Internal;
using Mesh.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Rpc;

public static class RpcTerminalExtensions
{
    /// <summary>
    /// Serves <paramref name="services"/> as the end of a pipeline branch: the method is found by one dictionary lookup
    /// on the request path, and an unknown method is answered UNIMPLEMENTED. Meant for a listener that carries only
    /// gRPC (e.g. <c>app.MapWhen(isGrpcListener, b =&gt; b.RunRpcServices(...))</c>), so calls skip endpoint routing and
    /// whatever web middleware (authentication, static files, …) the rest of the application runs. Calls behave exactly
    /// as with <see cref="RpcServerExtensions.MapRpcService"/>: same options, pre-handlers, limits and status mapping.
    /// </summary>
    public static void RunRpcServices(this IApplicationBuilder app, IEnumerable<RpcServiceDefinition> services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        var options = app.ApplicationServices.GetService<IOptions<RpcServerOptions>>()?.Value ?? new RpcServerOptions();
        var logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("Mesh.Rpc.Server") ?? NullLogger.Instance;
        var methods = new Dictionary<string, (MethodBinding Binding, ServiceRuntime Runtime)>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var runtime = new ServiceRuntime(options, logger, service.PreHandler);
            foreach (var binding in service.Methods)
            {
                if (!methods.TryAdd(binding.FullName, (binding, runtime)))
                    throw new InvalidOperationException($"gRPC method {binding.FullName} is served twice");
            }
        }

        var table = methods.ToFrozenDictionary(StringComparer.Ordinal);
        app.Run(context =>
        {
            if (!table.TryGetValue(context.Request.Path.Value ?? string.Empty, out var target))
                return UnimplementedHandler.HandleAsync(context, logger);
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return Task.CompletedTask;
            }

            return ServerCallDispatcher.HandleAsync(context, target.Binding, target.Runtime);
        });
    }

    /// <summary>Branches gRPC requests (by content type) to <see cref="RunRpcServices"/>; everything else continues down the pipeline.</summary>
    public static IApplicationBuilder UseRpcServices(this IApplicationBuilder app, IEnumerable<RpcServiceDefinition> services) =>
        app.MapWhen(context => context.Request.IsGrpc(), grpc => grpc.RunRpcServices(services));

    /// <summary>Whether the request is a gRPC call (content type application/grpc…).</summary>
    public static bool IsGrpc(this HttpRequest request) => GrpcProtocol.IsGrpcContentType(request.ContentType);
}
