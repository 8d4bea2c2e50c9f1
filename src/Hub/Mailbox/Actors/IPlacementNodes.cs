using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>What the node registry says of a node an actor is (to be) placed on.</summary>
public enum PlacementNodeState
{
    /// <summary>No node has this id.</summary>
    Unknown,
    /// <summary>Registered, joined or not, and not removed.</summary>
    Known,
    /// <summary>Removed: its certificates are revoked, so an actor there cannot reach the hub.</summary>
    Revoked,
}

/// <summary>
/// The node registry as actor placement sees it. Mailbox does not know the registry: the host composes one over it
/// (Hosting/RegistryPlacementNodes).
/// </summary>
public interface IPlacementNodes
{
    PlacementNodeState StateOf(string nodeId);
}

/// <summary>Checks an operator's placement (REST, UI) against the registry before an actor is created.</summary>
public static class PlacementCheck
{
    /// <summary>Throws INVALID_ARGUMENT naming the node when <paramref name="placement"/> is a node the registry does not have, or one that was removed.</summary>
    public static void Ensure(string? placement, IPlacementNodes nodes)
    {
        if (string.IsNullOrEmpty(placement) || placement == ActorPlacement.HubText)
            return;
        var state = nodes.StateOf(placement);
        if (state == PlacementNodeState.Unknown)
            throw new MailboxException(MailboxError.InvalidArgument, $"placement: no node '{DisplayText.Truncate(placement)}' is registered on this hub; join or register it first (the Nodes page lists them), or use \"{ActorPlacement.HubText}\".");
        if (state == PlacementNodeState.Revoked)
            throw new MailboxException(MailboxError.InvalidArgument, $"placement: node '{DisplayText.Truncate(placement)}' was removed from this hub; re-admit it with a join token bound to its id, or place the actor elsewhere.");
    }
}
