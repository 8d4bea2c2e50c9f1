namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// Hears of every change of a node as the live registry sees it (a record written through the store, a session
/// attached, a status or heartbeat change worth showing). Registered in the container; the registry calls each one
/// in turn, on the changing thread, so an implementation must be quick and must not throw.
/// </summary>
public interface INodeChangeListener
{
    /// <param name="membershipChanged">A node was added (the set of nodes changed), not only one node's state.</param>
    void NodeChanged(string nodeId, bool membershipChanged);
}

/// <summary>
/// Hears when a connected node went silent for longer than the offline limit: the registry marked it offline and
/// the session layer should drop that stream (the generation names which one).
/// </summary>
public interface INodeSessionExpiry
{
    void SessionExpired(string nodeId, long generation);
}
