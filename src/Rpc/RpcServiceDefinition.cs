using Mesh.Rpc.Server;

namespace Mesh.Rpc;

/// <summary>A built service: its methods and pre-handler, ready for <c>MapRpcService</c>.</summary>
public sealed class RpcServiceDefinition
{
    internal RpcServiceDefinition(string serviceName, IReadOnlyList<MethodBinding> methods, RpcPreHandler? preHandler)
    {
        ServiceName = serviceName;
        Methods = methods;
        PreHandler = preHandler;
    }

    public string ServiceName { get; }

    /// <summary>Full paths of the methods, <c>/pkg.Service/Method</c>.</summary>
    public IEnumerable<string> MethodPaths => Methods.Select(m => m.FullName);

    internal IReadOnlyList<MethodBinding> Methods { get; }

    internal RpcPreHandler? PreHandler { get; }
}
