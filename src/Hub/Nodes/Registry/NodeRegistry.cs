using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// The live registry: every node's stored record (cached) merged with its session state. Stored fields change
/// through <see cref="INodeStore"/> (whoever writes, the cache hears of it); live fields (status, last heartbeat,
/// connected-since) change in memory and are flushed in batches by <see cref="LiveStateFlusher"/>.
/// Status machine: pending (registered, never joined) → offline (enrolled) → online ⇄ degraded → offline; revoked
/// is final until the node is re-admitted. On hub start every node loads as offline.
/// </summary>
public sealed partial class NodeRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, NodeEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly INodeStore _store;
    private readonly NodeRegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeRegistry> _logger;
    private readonly INodeChangeListener[] _changes;
    private readonly INodeSessionExpiry[] _expiries;
    private ITimer? _sweeper;

    /// <param name="store">The store underneath (not the notifying wrapper, which reports its writes here).</param>
    internal NodeRegistry(
        INodeStore store,
        IEnumerable<INodeChangeListener> changes,
        IEnumerable<INodeSessionExpiry> expiries,
        IOptions<NodeRegistryOptions> options,
        TimeProvider time,
        ILogger<NodeRegistry> logger)
    {
        _store = store;
        _changes = [.. changes];
        _expiries = [.. expiries];
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public NodeRegistryOptions Options => _options;

    public int Count => _entries.Count;

    /// <summary>At start: nodes that were online are offline until they reconnect; then the cache is filled.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var reset = await _store.MarkAllOfflineAsync(cancellationToken);
        foreach (var record in await _store.ListAsync(cancellationToken))
            _entries[record.Id] = new NodeEntry(record, _options.HistoryPoints);
        RegistryLog.Loaded(_logger, _entries.Count, reset);
        _sweeper ??= _time.CreateTimer(_ => Sweep(), null, _options.SweepInterval, _options.SweepInterval);
    }

    public NodeView? Get(string id)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return null;
        lock (entry)
            return entry.ToView();
    }

    public IReadOnlyList<NodeView> List()
    {
        var views = new List<NodeView>(_entries.Count);
        foreach (var entry in _entries.Values)
        {
            lock (entry)
                views.Add(entry.ToView());
        }

        views.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return views;
    }

    public IReadOnlyList<HistoryPoint> History(string id)
    {
        if (!_entries.TryGetValue(id, out var entry))
            return [];
        lock (entry)
            return entry.History.Snapshot();
    }

    public static ClusterStats Stats(IReadOnlyList<NodeView> nodes)
    {
        int online = 0, degraded = 0, offline = 0, pending = 0, revoked = 0, cpus = 0;
        long memory = 0;
        foreach (var node in nodes)
        {
            switch (node.Status)
            {
                case NodeStatus.Online: online++; break;
                case NodeStatus.Degraded: degraded++; break;
                case NodeStatus.Offline: offline++; break;
                case NodeStatus.Pending: pending++; break;
                case NodeStatus.Revoked: revoked++; break;
            }

            if (node.Status is NodeStatus.Online or NodeStatus.Degraded)
            {
                cpus += node.Record.CpuCount;
                memory += node.Record.MemoryBytes;
            }
        }

        return new ClusterStats(nodes.Count, online, degraded, offline, pending, revoked, cpus, memory);
    }

    /// <summary>Online, not draining nodes that have every capability asked for, least loaded first.</summary>
    public IReadOnlyList<NodeView> BestNodes(IReadOnlyCollection<string> capabilities) =>
        List()
            .Where(n => n.Status == NodeStatus.Online && !n.Draining && capabilities.All(c => n.Record.Capabilities.Contains(c, StringComparer.Ordinal)))
            .OrderBy(n => n.Metrics?.CpuUsage ?? 1.0)
            .ThenBy(n => n.Metrics?.MemoryUsedFraction ?? 1.0)
            .ThenBy(n => n.Id, StringComparer.Ordinal)
            .ToList();

    public void Dispose() => _sweeper?.Dispose();

    /// <summary>A record was written through the store (operator edit, enrollment, renewal, removal): the cache takes it.</summary>
    internal void RecordWritten(NodeRecord record)
    {
        var entry = EntryFor(record, out var added);
        lock (entry)
        {
            var live = entry.Record;
            if (record.Status != NodeStatus.Revoked && live.Status is NodeStatus.Online or NodeStatus.Degraded)
            {
                // The writer read the record before our latest heartbeats: keep the live fields, rewrite them on flush.
                entry.Record = record with { Status = live.Status, LastHeartbeatAt = live.LastHeartbeatAt, ConnectedSince = live.ConnectedSince };
                _dirty[record.Id] = 0;
            }
            else
            {
                entry.Record = record;
            }

            if (record.Status == NodeStatus.Revoked)
            {
                entry.Connected = false;
                entry.Problems = [];
            }

            entry.LastPublished = _time.GetUtcNow();
        }

        Publish(record.Id, added);
    }

    /// <summary>
    /// A row another hub wrote, read back from the store: the cache takes it — all of it for a node whose session some
    /// other hub holds (status, last heartbeat, connected since), only the stored fields for one attached here.
    /// </summary>
    internal void ApplyStored(NodeRecord record)
    {
        var entry = EntryFor(record, out var added);
        lock (entry)
        {
            var live = entry.Record;
            if (entry.Connected && record.Status != NodeStatus.Revoked)
            {
                entry.Record = record with { Status = live.Status, LastHeartbeatAt = live.LastHeartbeatAt, ConnectedSince = live.ConnectedSince };
            }
            else
            {
                entry.Record = record;
                entry.Connected = false;
                entry.DisconnectedAt = null; // not our session to time out: the store says how it is
                entry.HeartbeatMissed = false;
                if (record.Status is not (NodeStatus.Online or NodeStatus.Degraded))
                    entry.Metrics = null;
            }

            entry.LastPublished = _time.GetUtcNow();
        }

        Publish(record.Id, added);
    }

    private NodeEntry EntryFor(NodeRecord record, out bool added)
    {
        var created = false;
        var entry = _entries.GetOrAdd(record.Id, _ =>
        {
            created = true;
            return new NodeEntry(record, _options.HistoryPoints);
        });
        added = created;
        return entry;
    }

    private void Publish(string nodeId, bool membershipChanged)
    {
        foreach (var listener in _changes)
            listener.NodeChanged(nodeId, membershipChanged);
    }

    private void SetStatus(NodeEntry entry, NodeStatus status, string reason)
    {
        var from = entry.Record.Status;
        if (from == status)
            return;
        entry.Record = entry.Record with { Status = status };
        RegistryLog.StatusChanged(_logger, entry.Record.Id, from, status, reason);
    }
}
