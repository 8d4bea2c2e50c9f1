using Mesh.Rpc.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Rpc.Server;

/// <summary>
/// Appends, after the whole application pipeline (routing and endpoints included), a step that answers gRPC requests
/// no endpoint took with UNIMPLEMENTED; anything else goes on to the default 404.
/// </summary>
internal sealed class UnimplementedFallbackFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        var logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("Mesh.Rpc.Server") ?? NullLogger.Instance;
        app.Use((context, nextMiddleware) =>
            GrpcProtocol.IsGrpcContentType(context.Request.ContentType)
                ? UnimplementedHandler.HandleAsync(context, logger)
                : nextMiddleware(context));
    };
}
