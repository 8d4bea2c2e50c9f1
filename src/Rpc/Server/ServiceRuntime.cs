using Microsoft.Extensions.Logging;

namespace Mesh.Rpc.Server;

/// <summary>What every call of one mapped service shares: options, logger, pre-handlers.</summary>
internal sealed class ServiceRuntime(RpcServerOptions options, ILogger logger, RpcPreHandler? servicePreHandler)
{
    public RpcServerOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    public RpcPreHandler? ServicePreHandler { get; } = servicePreHandler;
}
