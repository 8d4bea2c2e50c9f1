using System.IO.Enumeration;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;

namespace Mesh.Node.Agents.Worktrees;

/// <summary>
/// The disk the node's worktrees (owned and kept) take, for heartbeats and the <c>[worktree] quota</c>. Each worktree's
/// size is walked at most once per <c>[worktree] usage_interval</c> and cached; a new worktree is walked at the next
/// refresh. A heartbeat only reads the cache and, when something is due, starts a refresh in the background.
/// </summary>
internal sealed class WorktreeDiskUsage(WorktreeStore store, AgentRuntimeOptions options, TimeProvider time) : IDisposable
{
    private readonly Dictionary<string, (long Bytes, DateTimeOffset At)> _sizes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile WorktreeUsageFigures _figures = new(0, 0, 0, null, new HashSet<string>());

    /// <summary>
    /// The heartbeat's view, all of one measurement (so counts and bytes agree); a refresh starts in the background when
    /// the worktrees (or which are kept) changed since, a size is older than the interval, and none runs.
    /// </summary>
    public WorktreeUsage ToMessage()
    {
        var current = store.Current();
        var figures = _figures;
        if (_refreshing.CurrentCount > 0 && Due(current, figures))
            _ = Task.Run(() => RefreshAsync(CancellationToken.None));
        var usage = new WorktreeUsage
        {
            DefaultRoot = options.WorktreeRoot ?? "",
            Bytes = figures.Bytes,
            Count = figures.Count,
            Kept = figures.Kept,
            QuotaBytes = options.WorktreeQuota ?? 0,
        };
        if (figures.MeasuredAt is { } at)
            usage.MeasuredAt = Timestamp.FromDateTimeOffset(at);
        return usage;
    }

    /// <summary>Walks the worktrees whose size is older than the interval (and new ones); the total.</summary>
    public async Task<WorktreeUsageFigures> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var current = store.Current();
            var paths = current.Select(r => r.Worktree.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _sizes.Keys.Where(p => !paths.Contains(p)).ToList())
                _sizes.Remove(gone);
            var now = time.GetUtcNow();
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!_sizes.TryGetValue(path, out var known) || now - known.At >= options.WorktreeUsageInterval)
                {
                    try
                    {
                        _sizes[path] = (Size(path), time.GetUtcNow());
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        _sizes[path] = (known.Bytes, time.GetUtcNow()); // changing under the walk: the last figure stands until the next one
                    }
                }
            }

            _figures = new WorktreeUsageFigures(_sizes.Values.Sum(s => s.Bytes), paths.Count, current.Count(r => r.State == WorktreeRecord.Kept),
                _sizes.Count == 0 ? now : _sizes.Values.Min(s => s.At), paths);
            return _figures;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public void Dispose() => _refreshing.Dispose();

    /// <summary>Apparent size of a folder's files, symlinks not followed, unreadable parts skipped.</summary>
    public static long Size(string path)
    {
        if (!Directory.Exists(path))
            return 0;
        var files = new FileSystemEnumerable<long>(path, (ref FileSystemEntry entry) => entry.Length,
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        return files.Sum();
    }

    private bool Due(IReadOnlyList<WorktreeRecord> current, WorktreeUsageFigures figures) =>
        figures.MeasuredAt is not { } at || time.GetUtcNow() - at >= options.WorktreeUsageInterval
        || current.Count != figures.Paths.Count || current.Count(r => r.State == WorktreeRecord.Kept) != figures.Kept
        || current.Any(r => !figures.Paths.Contains(r.Worktree.Path));
}

/// <summary>The last measured total of the node's worktrees.</summary>
internal sealed record WorktreeUsageFigures(long Bytes, int Count, int Kept, DateTimeOffset? MeasuredAt, IReadOnlySet<string> Paths);
