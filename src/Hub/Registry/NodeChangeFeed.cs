using System.Threading.Channels;

namespace Mesh.Hub.Registry;

/// <summary>
/// Fans node changes out to subscribers (SSE streams). Each subscriber holds at most one pending entry per node
/// (changes coalesce), so a slow reader costs memory bounded by the node count, never by the change rate.
/// The number of subscribers is capped.
/// </summary>
public sealed class NodeChangeFeed(int maxSubscribers)
{
    private readonly object _gate = new();
    private readonly HashSet<NodeChangeSubscription> _subscribers = [];

    public int SubscriberCount
    {
        get
        {
            lock (_gate)
                return _subscribers.Count;
        }
    }

    /// <summary>A new subscription, or null when the cap is reached (the caller answers 503).</summary>
    public NodeChangeSubscription? TrySubscribe()
    {
        lock (_gate)
        {
            if (_subscribers.Count >= maxSubscribers)
                return null;
            var subscription = new NodeChangeSubscription(this);
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    internal void Publish(string nodeId, bool membership)
    {
        NodeChangeSubscription[] targets;
        lock (_gate)
        {
            if (_subscribers.Count == 0)
                return;
            targets = [.. _subscribers];
        }

        foreach (var subscriber in targets)
            subscriber.Add(nodeId, membership);
    }

    internal void Remove(NodeChangeSubscription subscription)
    {
        lock (_gate)
            _subscribers.Remove(subscription);
    }
}

/// <summary>One subscriber's pending changes. Dispose to unsubscribe.</summary>
public sealed class NodeChangeSubscription : IDisposable
{
    private readonly NodeChangeFeed _feed;
    private readonly object _gate = new();
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private HashSet<string> _pending = new(StringComparer.Ordinal);
    private bool _membership;

    internal NodeChangeSubscription(NodeChangeFeed feed) => _feed = feed;

    /// <summary>Waits for changes and takes them: the changed node ids, and whether nodes were added or removed.</summary>
    public async ValueTask<(IReadOnlyCollection<string> NodeIds, bool MembershipChanged)> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_pending.Count > 0 || _membership)
                {
                    var taken = _pending;
                    var membership = _membership;
                    _pending = new HashSet<string>(StringComparer.Ordinal);
                    _membership = false;
                    return (taken, membership);
                }
            }

            await _signal.Reader.ReadAsync(cancellationToken);
        }
    }

    public void Dispose() => _feed.Remove(this);

    internal void Add(string nodeId, bool membership)
    {
        lock (_gate)
        {
            _pending.Add(nodeId);
            _membership |= membership;
        }

        _signal.Writer.TryWrite(true);
    }
}
