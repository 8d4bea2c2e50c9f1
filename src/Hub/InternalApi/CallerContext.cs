using Grpc.Core;
using Mesh.Core.Auth;

namespace Mesh.Hub.InternalApi;

/// <summary>The authenticated caller of an internal gRPC call, stored on the call by the authenticator.</summary>
public static class CallerContext
{
    private static readonly object Key = new();

    /// <summary>The caller; throws UNAUTHENTICATED on an anonymous method (a handler that needs a caller must not be anonymous).</summary>
    public static CallerIdentity GetCaller(this ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var value) && value is CallerIdentity caller
            ? caller
            : throw new RpcException(new Status(StatusCode.Unauthenticated, "this call needs a bearer token"));

    public static CallerIdentity? TryGetCaller(this ServerCallContext context) =>
        context.UserState.TryGetValue(Key, out var value) ? value as CallerIdentity : null;

    internal static void SetCaller(this ServerCallContext context, CallerIdentity caller) => context.UserState[Key] = caller;

    /// <summary>The caller's IP address as text (for audit and the failure limiter).</summary>
    public static string Source(this ServerCallContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
