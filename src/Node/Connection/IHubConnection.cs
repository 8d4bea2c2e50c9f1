using Grpc.Core;
using JoinGrpc = Mesh.Core.Protocol.Join;
using MailboxGrpc = Mesh.Core.Protocol.Mailbox;
using SessionGrpc = Mesh.Core.Protocol.NodeSession;

namespace Mesh.Node.Connection;

/// <summary>The node's authenticated way to the hub, shared by its loops (session, renewal, mailbox relay).</summary>
public interface IHubConnection
{
    /// <summary>The gRPC channel to the hub (one HTTP/2 connection pool, reused by every call).</summary>
    ChannelBase Channel { get; }

    string NodeId { get; }

    JoinGrpc.JoinClient Join => new(Channel);

    MailboxGrpc.MailboxClient Mailbox => new(Channel);

    SessionGrpc.NodeSessionClient Session => new(Channel);

    /// <summary>Call options carrying a fresh node token, a deadline and the caller's cancellation.</summary>
    CallOptions Call(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>A token for an actor placed on this node, signed with the node's own key.</summary>
    string MintActorToken(string actorId, TimeSpan lifetime);
}
