using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Server;

/// <summary>Answers a gRPC request for a method no service registered.</summary>
internal static class UnimplementedHandler
{
    public static Task HandleAsync(HttpContext httpContext, ILogger logger)
    {
        RpcServerLog.UnimplementedMethod(logger, httpContext.Request.Path);
        ServerCallDispatcher.WriteTrailersOnly(httpContext, ServerStatusMapper.Unimplemented);
        return Task.CompletedTask;
    }
}
