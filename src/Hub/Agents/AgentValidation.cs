using System.Buffers;

namespace Mesh.Hub.Agents;

/// <summary>What an agent definition must satisfy; each refusal names its field.</summary>
internal static class AgentValidation
{
    private static readonly SearchValues<char> NameChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    public static IReadOnlyList<string> Command(IReadOnlyList<string>? command)
    {
        if (command is null || command.Count == 0 || string.IsNullOrEmpty(command[0]))
            throw new AgentException(AgentError.InvalidArgument, "an agent needs a command: an argv array such as [\"python3\", \"agent.py\"] (no shell unless you write [\"sh\", \"-c\", \"…\"]).", "command");
        if (command.Count > 256)
            throw new AgentException(AgentError.InvalidArgument, $"the command has {command.Count} arguments; at most 256.", "command");
        foreach (var arg in command)
        {
            if (arg is null || arg.Length > 4096 || arg.Contains('\0', StringComparison.Ordinal))
                throw new AgentException(AgentError.InvalidArgument, "each argument is a string of at most 4096 characters without NUL.", "command");
        }

        return [.. command];
    }

    public static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string>? environment)
    {
        if (environment is null)
            return new Dictionary<string, string>();
        if (environment.Count > 128)
            throw new AgentException(AgentError.InvalidArgument, $"{environment.Count} environment variables; at most 128.", "environment");
        foreach (var (name, value) in environment)
        {
            if (name.Length is 0 or > 128 || char.IsAsciiDigit(name[0]) || name.AsSpan().ContainsAnyExcept(NameChars))
                throw new AgentException(AgentError.InvalidArgument, $"'{Truncate(name)}' is not a valid environment variable name: letters, digits and '_', not starting with a digit.", "environment");
            if (name.StartsWith("MESH_", StringComparison.Ordinal))
                throw new AgentException(AgentError.InvalidArgument, $"'{name}': MESH_* variables are set by the node for each run (MESH_ACTOR_ID, MESH_ENDPOINT, MESH_ACTOR_TOKEN_FILE, …).", "environment");
            if (value is null || value.Length > 32768 || value.Contains('\0', StringComparison.Ordinal))
                throw new AgentException(AgentError.InvalidArgument, $"the value of {name} must be at most 32768 characters without NUL.", "environment");
        }

        return new Dictionary<string, string>(environment, StringComparer.Ordinal);
    }

    public static string? WorkDir(string? workDir)
    {
        if (string.IsNullOrEmpty(workDir))
            return null;
        if (!workDir.StartsWith('/') || workDir.Length > 4096 || workDir.Contains('\0', StringComparison.Ordinal))
            throw new AgentException(AgentError.InvalidArgument, $"work_dir '{Truncate(workDir)}' must be an absolute path on the node (it must also lie inside the node's safe_paths, which the node checks at start).", "work_dir");
        return workDir;
    }

    /// <summary>The work-folder mode and its fields; the node checks the rest (a repository, a ref, safe paths) when it makes the worktree.</summary>
    public static AgentWorkFolderDefinition WorkFolder(AgentRequest request, string? workDir)
    {
        var mode = request.WorkMode ?? AgentWorkFolderDefinition.UseExisting;
        if (!AgentWorkFolderDefinition.Modes.Contains(mode, StringComparer.Ordinal))
            throw new AgentException(AgentError.InvalidArgument, $"work_mode '{Truncate(mode)}' is not one of use_existing, create_worktree, reuse_worktree.", "work_mode");
        var worktreeFields = request.Repo is not null || request.Ref is not null || request.Detach is not null || request.CopyFiles is { Count: > 0 } || request.SetupCommand is { Count: > 0 };
        if (mode != AgentWorkFolderDefinition.CreateWorktree)
        {
            if (worktreeFields)
                throw new AgentException(AgentError.InvalidArgument, "repo, ref, detach, copy_files and setup_command apply to work_mode create_worktree only.", "work_mode");
            if (mode == AgentWorkFolderDefinition.ReuseWorktree && workDir is null)
                throw new AgentException(AgentError.InvalidArgument, "reuse_worktree needs work_dir: the path of an existing worktree on the node.", "work_dir");
            return mode == AgentWorkFolderDefinition.UseExisting ? AgentWorkFolderDefinition.Existing : new AgentWorkFolderDefinition(mode);
        }

        var repo = request.Repo;
        if (string.IsNullOrEmpty(repo) || !repo.StartsWith('/') || repo.Length > 4096 || repo.Contains('\0', StringComparison.Ordinal))
            throw new AgentException(AgentError.InvalidArgument, "create_worktree needs repo: the absolute path of a git repository on the node, inside its safe_paths.", "repo");
        var reference = string.IsNullOrEmpty(request.Ref) ? "HEAD" : request.Ref;
        if (reference.StartsWith('-') || reference.Length > 256 || reference.Any(char.IsControl) || reference.Contains(' ', StringComparison.Ordinal))
            throw new AgentException(AgentError.InvalidArgument, $"ref '{Truncate(reference)}' is not a valid branch, tag or commit name.", "ref");
        var copies = request.CopyFiles ?? [];
        if (copies.Count > 64)
            throw new AgentException(AgentError.InvalidArgument, $"{copies.Count} copy_files; at most 64.", "copy_files");
        foreach (var file in copies)
        {
            if (string.IsNullOrEmpty(file) || file.StartsWith('/') || file.Split('/').Contains("..") || file.Contains('\0', StringComparison.Ordinal) || file.Length > 1024)
                throw new AgentException(AgentError.InvalidArgument, $"copy_files entry '{Truncate(file ?? "")}' must be a path relative to the repository, without '..'.", "copy_files");
        }

        var setup = request.SetupCommand is { Count: > 0 } argv ? Command(argv) : null;
        return new AgentWorkFolderDefinition(mode, repo, reference, request.Detach ?? false, [.. copies], setup);
    }

    public static string RestartPolicy(string? policy) =>
        policy is null ? AgentPolicies.OnFailure
        : AgentPolicies.RestartPolicies.Contains(policy, StringComparer.Ordinal) ? policy
        : throw new AgentException(AgentError.InvalidArgument, $"restart_policy '{Truncate(policy)}' is not one of never, on-failure, always.", "restart_policy");

    public static string DesiredState(string? state) =>
        state is null or AgentPolicies.Running ? AgentPolicies.Running
        : state == AgentPolicies.Stopped ? state
        : throw new AgentException(AgentError.InvalidArgument, $"desired_state '{Truncate(state)}' is not running or stopped.", "desired_state");

    public static int StopGrace(int? seconds) =>
        seconds is null ? 10
        : seconds is >= 0 and <= 3600 ? seconds.Value
        : throw new AgentException(AgentError.InvalidArgument, $"stop_grace_seconds {seconds} is out of range: 0 to 3600.", "stop_grace_seconds");

    public static long MemoryMax(long? bytes) =>
        bytes is null or 0 ? 0
        : bytes is >= 4L << 20 and <= 1L << 40 ? bytes.Value
        : throw new AgentException(AgentError.InvalidArgument, $"memory_max_bytes {bytes} is out of range: 0 (no limit) or 4 MiB to 1 TiB.", "memory_max_bytes");

    public static int PidsMax(int? count) =>
        count is null or 0 ? 0
        : count is >= 2 and <= 1_000_000 ? count.Value
        : throw new AgentException(AgentError.InvalidArgument, $"pids_max {count} is out of range: 0 (no limit) or 2 to 1000000.", "pids_max");

    public static string Name(string? name, string id)
    {
        var display = string.IsNullOrWhiteSpace(name) ? id : name.Trim();
        return display.Length <= 200 ? display : throw new AgentException(AgentError.InvalidArgument, "the display name is longer than 200 characters.", "name");
    }

    public static IReadOnlyList<string> Capabilities(IReadOnlyList<string>? capabilities)
    {
        if (capabilities is null)
            return [];
        foreach (var tag in capabilities)
        {
            if (!Core.Configuration.Capabilities.IsValid(tag))
                throw new AgentException(AgentError.InvalidArgument, $"capability '{Truncate(tag)}' is not a valid tag (1-64 characters of [A-Za-z0-9._:/-]).", "capabilities");
        }

        return [.. capabilities.Distinct(StringComparer.Ordinal)];
    }

    private static string Truncate(string text) => DisplayText.Truncate(text, 80);
}
