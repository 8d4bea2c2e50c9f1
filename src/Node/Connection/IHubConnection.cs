using Mesh.Rpc;

namespace Mesh.Node.Connection;

/// <summary>The node's authenticated way to the hub, shared by its loops (session, renewal, mailbox relay).</summary>
public interface IHubConnection
{
    RpcChannel Channel { get; }

    string NodeId { get; }

    /// <summary>Call options carrying a fresh node token, a deadline and the caller's cancellation.</summary>
    CallOptions Call(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A token for an actor placed on this node, signed with the node's own key.</summary>
    string MintActorToken(string actorId, TimeSpan lifetime);
}
