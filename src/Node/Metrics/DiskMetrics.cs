using System.Diagnostics.Metrics;
using Mesh.Core.Configuration;
using Mesh.Hosting.Metrics;
using Mesh.Node.Session;

namespace Mesh.Node.Metrics;

/// <summary>
/// The disks the node writes to, read when scraped: the one holding data_dir (identity, agent state, run output) and
/// the one holding [worktree] default_root when it is set.
/// </summary>
internal sealed class DiskMetrics : IObservableInstruments
{
    private readonly (string Label, string Path)[] _paths;

    public DiskMetrics(MeshConfig config, IMeterFactory meters)
    {
        _paths = config.Worktree.DefaultRoot is { } worktrees
            ? [("data_dir", config.Server.DataDir), ("worktrees", worktrees)]
            : [("data_dir", config.Server.DataDir)];
        var meter = NodeMeter.Get(meters);
        meter.CreateObservableGauge("mesh.node.disk.used", () => Read(s => s.Total - s.Free), "By",
            "Used bytes of the disk holding each of the node's folders (path: data_dir, worktrees).");
        meter.CreateObservableGauge("mesh.node.disk.free", () => Read(s => s.Free), "By",
            "Bytes available to the node on the disk holding each of its folders (path: data_dir, worktrees).");
    }

    private IEnumerable<Measurement<long>> Read(Func<(long Free, long Total), long> figure)
    {
        foreach (var (label, path) in _paths.Where(p => Directory.Exists(p.Path)))
        {
            var space = SystemMetrics.DiskSpace(path);
            if (space.Total > 0)
                yield return MeshInstruments.Tagged(figure(space), "path", label);
        }
    }
}
