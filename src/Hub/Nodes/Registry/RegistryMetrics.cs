using System.Diagnostics.Metrics;
using Mesh.Hosting.Metrics;

namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// The registry's gauges, read from its memory when scraped: nodes by status, and per connected node (the label is
/// the node id, bounded by the registry) the time since its last heartbeat and its data_dir disk from that heartbeat.
/// </summary>
internal sealed class RegistryMetrics : IObservableInstruments
{
    private static readonly NodeStatus[] Statuses = Enum.GetValues<NodeStatus>();
    private readonly NodeRegistry _registry;
    private readonly TimeProvider _time;

    public RegistryMetrics(NodeRegistry registry, TimeProvider time, IMeterFactory meters)
    {
        _registry = registry;
        _time = time;
        var meter = HubMeter.Get(meters);
        meter.CreateObservableGauge("mesh.nodes", CountByStatus, "{node}", "Nodes in the registry by status (pending, online, degraded, offline, revoked).");
        meter.CreateObservableGauge("mesh.node.heartbeat.age", HeartbeatAges, "s", "Seconds since each connected node's last heartbeat (sent every 4 s; degraded after 6 s, offline after 12 s).");
        meter.CreateObservableGauge("mesh.node.disk.utilization", DiskUtilization, "1", "Used fraction (0 to 1) of the disk holding each connected node's data_dir, from its last heartbeat.");
        meter.CreateObservableGauge("mesh.node.disk.free", DiskFree, "By", "Free bytes of the disk holding each connected node's data_dir, from its last heartbeat.");
        meter.CreateObservableGauge("mesh.node.worktrees.size", WorktreeBytes, "By", "Bytes each connected node's agent worktrees (owned and kept) take, as the node last measured them ([worktree] usage_interval).");
        meter.CreateObservableGauge("mesh.node.worktrees.quota", WorktreeQuota, "By", "Each connected node's [worktree] quota, for nodes that set one.");
    }

    private IEnumerable<Measurement<int>> CountByStatus()
    {
        var counts = new int[Statuses.Length];
        foreach (var node in _registry.List())
            counts[(int)node.Status]++;
        return Statuses.Select(status => new Measurement<int>(counts[(int)status], new KeyValuePair<string, object?>("status", NodeStatusText(status))));
    }

    private IEnumerable<Measurement<double>> HeartbeatAges()
    {
        var now = _time.GetUtcNow();
        return Connected()
            .Where(n => n.Record.LastHeartbeatAt is not null)
            .Select(n => new Measurement<double>(Math.Max(0, (now - n.Record.LastHeartbeatAt!.Value).TotalSeconds), NodeLabel(n)));
    }

    private IEnumerable<Measurement<double>> DiskUtilization() =>
        Connected()
            .Where(n => n.Metrics is { DiskTotalBytes: > 0 })
            .Select(n => new Measurement<double>(1 - ((double)n.Metrics!.DiskFreeBytes / n.Metrics.DiskTotalBytes), NodeLabel(n)));

    private IEnumerable<Measurement<long>> DiskFree() =>
        Connected()
            .Where(n => n.Metrics is { DiskTotalBytes: > 0 })
            .Select(n => new Measurement<long>(n.Metrics!.DiskFreeBytes, NodeLabel(n)));

    private IEnumerable<Measurement<long>> WorktreeBytes() =>
        Connected().Where(n => n.Metrics?.Worktrees is not null).Select(n => new Measurement<long>(n.Metrics!.Worktrees!.Bytes, NodeLabel(n)));

    private IEnumerable<Measurement<long>> WorktreeQuota() =>
        Connected().Where(n => n.Metrics?.Worktrees is { QuotaBytes: > 0 }).Select(n => new Measurement<long>(n.Metrics!.Worktrees!.QuotaBytes, NodeLabel(n)));

    private IEnumerable<NodeView> Connected() => _registry.List().Where(n => n.Status is NodeStatus.Online or NodeStatus.Degraded);

    private static KeyValuePair<string, object?> NodeLabel(NodeView node) => new("mesh.node.id", node.Id);

    private static string NodeStatusText(NodeStatus status) => status.ToString().ToLowerInvariant();
}
