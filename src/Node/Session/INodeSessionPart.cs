using Mesh.Core.Protocol;

namespace Mesh.Node.Session;

/// <summary>
/// A capability's share of the session stream beyond commands: what it adds to the hello and to each heartbeat,
/// what it sends while a session is up (in the stream's ordered lane, behind heartbeats), and the hub messages of its
/// own kinds. Registered in the node's container; the session loop runs every part for every session.
/// </summary>
public interface INodeSessionPart
{
    void AddToHello(NodeHello hello);

    void AddToHeartbeat(NodeHeartbeat heartbeat);

    /// <summary>Runs while a session is attached (cancelled when it ends); sends through <paramref name="lanes"/>.</summary>
    Task RunAsync(SessionLanes lanes, CancellationToken session);

    /// <summary>True when <paramref name="message"/> is of this part's kinds (and was handled).</summary>
    bool TryHandle(HubMessage message);
}
