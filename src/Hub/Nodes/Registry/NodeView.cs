namespace Mesh.Hub.Nodes.Registry;

/// <summary>A node as operators see it: the stored record with its live status, plus the latest heartbeat figures.</summary>
public sealed record NodeView(NodeRecord Record, NodeMetrics? Metrics, bool Connected, IReadOnlyList<string> Problems, bool Draining, int RunningAgents, int MaxAgents = 0)
{
    public string Id => Record.Id;

    public NodeStatus Status => Record.Status;
}

/// <summary>The figures of one heartbeat.</summary>
public sealed record NodeMetrics(
    DateTimeOffset At,
    double CpuUsage,
    long MemoryFreeBytes,
    long MemoryTotalBytes,
    long DiskFreeBytes,
    long DiskTotalBytes,
    int ProcessCount)
{
    public double MemoryUsedFraction => MemoryTotalBytes <= 0 ? 0 : 1 - ((double)MemoryFreeBytes / MemoryTotalBytes);

    /// <summary>The node's agent worktrees as it reports them; null from a node that reports none.</summary>
    public NodeWorktreeUsage? Worktrees { get; init; }
}

/// <summary>
/// A node's <c>[worktree] default_root</c> and the disk its agent worktrees (owned and kept) take, measured by the
/// node in the background (so up to its <c>usage_interval</c> old); quota 0: none.
/// </summary>
public sealed record NodeWorktreeUsage(string? DefaultRoot, long Bytes, int Count, int Kept, long QuotaBytes, DateTimeOffset? MeasuredAt);

/// <summary>One point of the heartbeat history chart.</summary>
public readonly record struct HistoryPoint(DateTimeOffset At, double CpuUsage, double MemoryUsed);

/// <summary>Aggregates shown above the node table and returned by the list endpoint.</summary>
public sealed record ClusterStats(int Total, int Online, int Degraded, int Offline, int Pending, int Revoked, int Cpus, long MemoryBytes);
