using System.Globalization;

namespace Mesh.Node.Agents.Processes;

/// <summary>
/// The cgroups a node can give its runs, probed once at start: pure cgroup2 (limits and <c>cgroup.kill</c> in one
/// tree), the hybrid layout (cgroup2 without controllers for the kill, cgroup1 <c>memory</c> and <c>pids</c> for the
/// limits), or none (a container without a writable cgroupfs, macOS) — then limits are reported as not enforced and
/// stop falls back to the run's session.
/// </summary>
internal sealed class RunCgroups
{
    private const string RunsFolder = "mesh-agents";
    private readonly string? _unified;      // a cgroup2 folder for runs (kill, and limits when it has controllers)
    private readonly bool _unifiedLimits;
    private readonly string? _memoryV1;
    private readonly string? _pidsV1;

    private RunCgroups(string description, string? unified, bool unifiedLimits, string? memoryV1, string? pidsV1)
    {
        Description = description;
        _unified = unified;
        _unifiedLimits = unifiedLimits;
        _memoryV1 = memoryV1;
        _pidsV1 = pidsV1;
    }

    /// <summary>"cgroup2", "cgroup1 limits + cgroup2 kill", or "none: why" (for the heartbeat and logs).</summary>
    public string Description { get; }

    public bool CanLimit => _unifiedLimits || (_memoryV1 is not null && _pidsV1 is not null);

    public static RunCgroups None(string why) => new("none: " + why, null, false, null, null);

    public static RunCgroups Probe(string root = "/sys/fs/cgroup")
    {
        if (!OperatingSystem.IsLinux())
            return None("not Linux");
        var own = OwnPaths();
        try
        {
            if (File.Exists(Path.Combine(root, "cgroup.controllers")))
                return ProbePure(root, own.GetValueOrDefault("") ?? "/");
            if (File.Exists(Path.Combine(root, "unified", "cgroup.procs")))
                return ProbeHybrid(root, own);
            return None($"no cgroup2 mount at {root}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return None(ex.Message);
        }
    }

    /// <summary>A cgroup (one folder per hierarchy) for one run, with its limits written; null when there is none.</summary>
    public RunCgroup? Create(string runId, long memoryMaxBytes, int pidsMax)
    {
        var folders = new List<string>();
        try
        {
            if (_unified is not null)
            {
                var dir = Directory.CreateDirectory(Path.Combine(_unified, runId)).FullName;
                folders.Add(dir);
                if (_unifiedLimits)
                {
                    if (memoryMaxBytes > 0)
                        Write(dir, "memory.max", memoryMaxBytes.ToString(CultureInfo.InvariantCulture));
                    if (pidsMax > 0)
                        Write(dir, "pids.max", pidsMax.ToString(CultureInfo.InvariantCulture));
                }
            }

            if (_memoryV1 is not null && memoryMaxBytes > 0)
            {
                var dir = Directory.CreateDirectory(Path.Combine(_memoryV1, runId)).FullName;
                folders.Add(dir);
                Write(dir, "memory.limit_in_bytes", memoryMaxBytes.ToString(CultureInfo.InvariantCulture));
            }

            if (_pidsV1 is not null && pidsMax > 0)
            {
                var dir = Directory.CreateDirectory(Path.Combine(_pidsV1, runId)).FullName;
                folders.Add(dir);
                Write(dir, "pids.max", pidsMax.ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            new RunCgroup(folders).Remove();
            throw new IOException($"cannot create the run's cgroup: {ex.Message}", ex);
        }

        return folders.Count == 0 ? null : new RunCgroup(folders);
    }

    private static RunCgroups ProbePure(string root, string own)
    {
        var ownDir = Path.Combine(root, own.TrimStart('/'));
        var runs = Path.Combine(ownDir, RunsFolder);
        Directory.CreateDirectory(runs);
        var limits = EnableControllers(ownDir, runs, own == "/");
        return new RunCgroups(limits ? "cgroup2" : "cgroup2 kill only (no memory/pids controllers delegated)", runs, limits, null, null);
    }

    // cgroup2's "no internal processes" rule: a cgroup with processes cannot hand controllers to its children, so a
    // node in a delegated service cgroup moves itself into a leaf first (what container runtimes do).
    private static bool EnableControllers(string ownDir, string runs, bool isRoot)
    {
        if (!TryWrite(ownDir, "cgroup.subtree_control", "+memory +pids") && !isRoot)
        {
            var leaf = Directory.CreateDirectory(Path.Combine(ownDir, "mesh-node")).FullName;
            if (!TryWrite(leaf, "cgroup.procs", Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
                || !TryWrite(ownDir, "cgroup.subtree_control", "+memory +pids"))
                return false;
        }

        return TryWrite(runs, "cgroup.subtree_control", "+memory +pids");
    }

    private static RunCgroups ProbeHybrid(string root, Dictionary<string, string> own)
    {
        string? unified = null;
        var unifiedDir = Path.Combine(root, "unified", own.GetValueOrDefault("", "/").TrimStart('/'), RunsFolder);
        if (TryCreate(unifiedDir) && File.Exists(Path.Combine(unifiedDir, "cgroup.kill")))
            unified = unifiedDir;
        var memory = V1Folder(root, "memory", own);
        var pids = V1Folder(root, "pids", own);
        var parts = new List<string>();
        if (memory is not null && pids is not null)
            parts.Add("cgroup1 limits");
        if (unified is not null)
            parts.Add("cgroup2 kill");
        return parts.Count == 0
            ? None("cannot create cgroups under " + root)
            : new RunCgroups(string.Join(" + ", parts), unified, false, memory, pids);
    }

    private static string? V1Folder(string root, string controller, Dictionary<string, string> own)
    {
        var mount = Path.Combine(root, controller);
        if (!Directory.Exists(mount) || !own.TryGetValue(controller, out var path))
            return null;
        var dir = Path.Combine(mount, path.TrimStart('/'), RunsFolder);
        return TryCreate(dir) ? dir : null;
    }

    /// <summary>/proc/self/cgroup: controller → path ("" for cgroup2's line "0::/path").</summary>
    private static Dictionary<string, string> OwnPaths()
    {
        var paths = new Dictionary<string, string>();
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
                continue;
            if (parts[0] == "0" && parts[1].Length == 0)
                paths[""] = parts[2];
            foreach (var controller in parts[1].Split(','))
                if (controller.Length > 0)
                    paths[controller] = parts[2];
        }

        return paths;
    }

    private static bool TryCreate(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool TryWrite(string dir, string file, string value)
    {
        try
        {
            Write(dir, file, value);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    internal static void Write(string dir, string file, string value) => File.WriteAllText(Path.Combine(dir, file), value);
}

/// <summary>One run's cgroup folders (one per hierarchy in the hybrid layout).</summary>
internal sealed class RunCgroup(IReadOnlyList<string> folders)
{
    public IReadOnlyList<string> Folders => folders;

    /// <summary>The files a process writes its pid into to join (the run's holder does it before starting the command).</summary>
    public IEnumerable<string> ProcsFiles => folders.Select(f => Path.Combine(f, "cgroup.procs"));

    /// <summary>"dir1:dir2" for the run record, so a restarted node finds them again.</summary>
    public string Serialize() => string.Join(':', folders);

    public static RunCgroup? Parse(string text) => string.IsNullOrEmpty(text) ? null : new RunCgroup(text.Split(':'));

    /// <summary>The live processes in the cgroup (all hierarchies hold the same ones).</summary>
    public IReadOnlyList<int> Processes()
    {
        foreach (var folder in folders)
        {
            try
            {
                return [.. File.ReadAllLines(Path.Combine(folder, "cgroup.procs"))
                    .Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return [];
    }

    /// <summary>SIGKILL to every process in the cgroup, also one that left the run's session with setsid.</summary>
    public void KillAll()
    {
        var kill = folders.Select(f => Path.Combine(f, "cgroup.kill")).FirstOrDefault(File.Exists);
        if (kill is not null)
        {
            try
            {
                File.WriteAllText(kill, "1");
                return;
            }
            catch (IOException)
            {
            }
        }

        // No cgroup.kill (cgroup1 only): kill what is listed until nothing is, as new forks may appear meanwhile.
        for (var round = 0; round < 20; round++)
        {
            var pids = Processes();
            if (pids.Count == 0)
                return;
            foreach (var pid in pids)
                LibC.Signal(pid, LibC.SIGKILL);
        }
    }

    /// <summary>True when the kernel's OOM killer ended a process of this cgroup.</summary>
    public bool OomKilled()
    {
        foreach (var folder in folders)
        {
            foreach (var file in new[] { "memory.events", "memory.oom_control" })
            {
                var path = Path.Combine(folder, file);
                if (!File.Exists(path))
                    continue;
                foreach (var line in File.ReadLines(path))
                {
                    var parts = line.Split(' ');
                    if (parts.Length == 2 && parts[0] == "oom_kill" && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var count) && count > 0)
                        return true;
                }
            }
        }

        return false;
    }

    /// <summary>Removes the folders once they are empty; false when a process is still in one.</summary>
    public bool Remove()
    {
        var removed = true;
        foreach (var folder in folders)
        {
            try
            {
                if (Directory.Exists(folder))
                    Directory.Delete(folder);
            }
            catch (IOException)
            {
                removed = false;
            }
        }

        return removed;
    }
}
