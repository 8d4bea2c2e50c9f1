namespace Mesh.Node.Agents.Processes;

/// <summary>
/// What the node checks before it starts a run, so that a command that cannot start is a <c>start_failed</c> with
/// the OS's reason rather than a holder that exits 127: the program exists and is executable (argv[0] searched in
/// the run's PATH like execvp), and the work folder lies inside the node's safe paths after resolving symlinks.
/// </summary>
internal static class StartCheck
{
    /// <summary>The error text for a command that cannot start; null when it can.</summary>
    public static string? Command(IReadOnlyList<string> command, string? path, string workDir)
    {
        if (command.Count == 0 || command[0].Length == 0)
            return "empty command";
        var program = command[0];
        if (program.Contains('/', StringComparison.Ordinal))
            return Executable(System.IO.Path.IsPathRooted(program) ? program : System.IO.Path.Combine(workDir, program), program);
        string? lastError = null;
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, program);
            if (!File.Exists(candidate))
                continue;
            lastError = Executable(candidate, program);
            if (lastError is null)
                return null;
        }

        return lastError ?? $"no such file: '{program}' is not in PATH";
    }

    /// <summary>The first executable file named <paramref name="program"/> in <paramref name="path"/>; null when there is none.</summary>
    public static string? Find(string program, string? path) =>
        (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, program))
            .FirstOrDefault(candidate => File.Exists(candidate) && Executable(candidate, program) is null);

    /// <summary>
    /// The work folder with symlinks resolved, or an error: it must exist, be a folder and lie inside one of
    /// <paramref name="allowedRoots"/> (themselves resolved).
    /// </summary>
    public static string WorkDir(string workDir, IEnumerable<string> allowedRoots, out string? error)
    {
        error = null;
        if (!System.IO.Path.IsPathRooted(workDir))
        {
            error = $"work folder '{workDir}' is not an absolute path";
            return workDir;
        }

        var resolved = LibC.RealPath(workDir);
        if (resolved is null || !Directory.Exists(resolved))
        {
            error = $"no such folder: {workDir}";
            return workDir;
        }

        foreach (var root in allowedRoots)
        {
            var resolvedRoot = LibC.RealPath(root);
            if (resolvedRoot is not null && IsInside(resolved, resolvedRoot))
                return resolved;
        }

        error = resolved == workDir
            ? $"work folder {workDir} is outside the node's safe_paths"
            : $"work folder {workDir} (resolved: {resolved}) is outside the node's safe_paths";
        return resolved;
    }

    public static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.EndsWith('/') ? root : root + "/", StringComparison.Ordinal);

    private static string? Executable(string file, string program)
    {
        if (Directory.Exists(file))
            return $"permission denied: {program} is a folder";
        if (!File.Exists(file))
            return $"no such file: {program}";
        var mode = File.GetUnixFileMode(file);
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (mode & anyExecute) == 0 ? $"permission denied: {program} is not executable" : null;
    }
}
