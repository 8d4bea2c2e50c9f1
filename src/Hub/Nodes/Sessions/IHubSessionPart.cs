using Mesh.Core.Protocol;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>One node's attached session as a capability sees it: who, and a way to send it a message.</summary>
public interface IHubSessionChannel
{
    string NodeId { get; }

    /// <summary>Queues a message to the node; false when the session is closing or its queue is full.</summary>
    bool TryEnqueue(HubMessage message);
}

/// <summary>
/// A capability's share of the hub side of the session stream: told when a node attaches (with its hello), and given
/// the node messages of its own kinds. Registered in the container; the session service dispatches to every part.
/// </summary>
public interface IHubSessionPart
{
    /// <summary>Runs when a node's session is up (after the welcome); must not block the session's read loop.</summary>
    Task OnAttachedAsync(IHubSessionChannel session, NodeHello hello, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="message"/> is of this part's kinds (and was handled).</summary>
    ValueTask<bool> TryHandleAsync(IHubSessionChannel session, NodeMessage message, CancellationToken cancellationToken);
}
