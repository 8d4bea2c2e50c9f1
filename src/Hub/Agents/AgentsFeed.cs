using Mesh.Hub.Live;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Agents;

/// <summary>
/// The agents pages' live feed: a wake-up on every change of an agent (definition or a status event from its node)
/// and of a node (online, offline, draining: an agent's shown state depends on its node). The streams re-read the
/// agents and send only what differs from what they showed, so the item itself is only a hint.
/// </summary>
public sealed class AgentsFeed(int maxSubscribers = AgentsFeed.MaxSubscribers, int capacity = AgentsFeed.Capacity) : IAgentChangeListener, INodeChangeListener
{
    /// <summary>Most agents-page streams open at once; more get 503.</summary>
    public const int MaxSubscribers = 500;

    /// <summary>Changes kept for readers; a reader that falls behind re-reads everything anyway.</summary>
    public const int Capacity = 256;

    public LiveFeed<string> Feed { get; } = new(capacity, maxSubscribers);

    public void AgentChanged(string agentId) => Feed.Publish(agentId);

    public void NodeChanged(string nodeId, bool membershipChanged) => Feed.Publish("node:" + nodeId);
}
