using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Nodes;

/// <summary>One change of one node, as the registry reported it.</summary>
public readonly record struct NodeChange(string NodeId, bool MembershipChanged);

/// <summary>
/// The live feed of node changes that the nodes page and GET /api/cluster/stream read: the registry's changes in a
/// <see cref="LiveFeed{T}"/> (one ring for every reader; at most <see cref="MaxSubscribers"/> readers).
/// </summary>
public sealed class NodesFeed(int maxSubscribers = NodesFeed.MaxSubscribers, int capacity = NodesFeed.Capacity) : INodeChangeListener
{
    /// <summary>Most SSE subscribers (browsers, REST streams) at once; more get 503.</summary>
    public const int MaxSubscribers = 2000;

    /// <summary>Changes kept for readers; one that falls further behind starts over from the registry.</summary>
    public const int Capacity = 4096;

    public LiveFeed<NodeChange> Feed { get; } = new(capacity, maxSubscribers);

    public int SubscriberCount => Feed.SubscriberCount;

    public LiveSubscription<NodeChange>? TrySubscribe() => Feed.TrySubscribe();

    public void NodeChanged(string nodeId, bool membershipChanged) => Feed.Publish(new NodeChange(nodeId, membershipChanged));

    /// <summary>
    /// What a batch changed: each node once, and whether nodes were added. A batch after a gap (the reader fell a
    /// whole ring behind) counts as a membership change: the reader starts over from the registry.
    /// </summary>
    public static (IReadOnlyCollection<string> NodeIds, bool MembershipChanged) Coalesce(LiveBatch<NodeChange> batch)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var membership = batch.DroppedBefore is not null;
        foreach (var item in batch.Items)
        {
            ids.Add(item.Value.NodeId);
            membership |= item.Value.MembershipChanged;
        }

        return (ids, membership);
    }
}
