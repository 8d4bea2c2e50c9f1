using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Mesh.Node.Mailbox;

/// <summary>
/// Runs before every <see cref="MailboxRelay"/> method: a missing or malformed token is refused here, with how to get
/// one, instead of costing a hub round trip (or, while the hub is away, looking like an outage). Well-formed tokens
/// are judged by the hub (or, offline, by <see cref="NodeTokenValidator"/> when a send is queued).
/// </summary>
internal sealed class RelayTokenCheck : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Require(context);
        return continuation(request, responseStream, context);
    }

    private static void Require(ServerCallContext context)
    {
        if (NodeTokenValidator.MalformedReason(context.RequestHeaders.GetValue("authorization")) is { } reason)
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"{reason}: set MESH_ACTOR_TOKEN to an actor token (on this node: mesh actor-token --config <node.toml> --actor-id ID)"));
    }
}
