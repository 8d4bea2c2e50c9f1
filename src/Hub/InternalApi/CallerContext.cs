using Mesh.Core.Auth;
using Mesh.Rpc;

namespace Mesh.Hub.InternalApi;

/// <summary>The authenticated caller of an internal gRPC call, stored on the call by the authenticator.</summary>
public static class CallerContext
{
    private static readonly object Key = new();

    /// <summary>The caller; throws UNAUTHENTICATED on an anonymous method (a handler that needs a caller must not be anonymous).</summary>
    public static CallerIdentity GetCaller(this RpcCallContext context) =>
        context.Items.TryGetValue(Key, out var value) && value is CallerIdentity caller
            ? caller
            : throw new RpcException(StatusCode.Unauthenticated, "this call needs a bearer token");

    public static CallerIdentity? TryGetCaller(this RpcCallContext context) =>
        context.Items.TryGetValue(Key, out var value) ? value as CallerIdentity : null;

    internal static void SetCaller(this RpcCallContext context, CallerIdentity caller) => context.Items[Key] = caller;
}
