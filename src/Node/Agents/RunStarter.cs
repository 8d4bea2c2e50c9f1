using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Output;
using Mesh.Node.Agents.Processes;
using Mesh.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Node.Agents;

/// <summary>The outcome of one start: a live run, or the reason nothing started.</summary>
internal sealed record StartResult(ActiveRun? Run, string? Error, string? Warning);

/// <summary>
/// Starts one run of an agent: checks the work folder and the program, makes the run's folder, token file and cgroup,
/// and starts the holder with the agent's environment (the node's own environment is not passed on: it may hold the
/// node's secrets).
/// </summary>
internal sealed class RunStarter(AgentRuntimeOptions options, ActorTokenFiles tokens, NodeListeners listeners, TimeProvider time, ILogger<RunStarter> logger)
{
    private static readonly string[] PassedThrough = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ", "TMPDIR"];

    public static string NewRunId(DateTimeOffset now) =>
        $"r{now.ToUnixTimeMilliseconds():x}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>
    /// Starts a run in <paramref name="preparedDir"/> (an agent's worktree, checked again here) or in the spec's work
    /// folder; <paramref name="preamble"/> (the worktree's preparation: setup output) begins the run's stdout.
    /// </summary>
    public async Task<StartResult> StartAsync(AgentSpec spec, RunCgroups cgroups, CancellationToken cancellationToken, string? preparedDir = null,
        IReadOnlyList<string>? preamble = null)
    {
        var now = time.GetUtcNow();
        string workDir;
        if (preparedDir is not null)
        {
            // At use, not only when it was made: a symlink swapped in for the worktree since then is caught here.
            workDir = StartCheck.WorkDir(preparedDir, Roots, out var folderError);
            if (folderError is not null)
                return new StartResult(null, folderError, null);
            if (workDir != preparedDir)
                return new StartResult(null, $"work folder {preparedDir} now resolves to {workDir}: it was replaced after Mesh made it; refused", null);
        }
        else if (spec.WorkDir.Length == 0)
        {
            workDir = options.DefaultWorkDir(spec.AgentId);
            Directory.CreateDirectory(workDir);
        }
        else
        {
            workDir = StartCheck.WorkDir(spec.WorkDir, Roots, out var folderError);
            if (folderError is not null)
                return new StartResult(null, folderError, null);
        }

        var input = spec.Tty ? RunInputMode.Tty : spec.Interactive ? RunInputMode.Stdin : RunInputMode.None;
        string? scriptPath = null;
        if (input == RunInputMode.Tty && (scriptPath = StartCheck.Find("script", System.Environment.GetEnvironmentVariable("PATH"))) is null)
            return new StartResult(null, "tty = true needs util-linux 'script' on the node (Debian: bsdutils); it is not in the node's PATH", null);

        var runId = NewRunId(now);
        var folder = RunFolder.Create(options.RunsRoot, runId, input != RunInputMode.None, Preamble(preamble, input == RunInputMode.Tty));
        var environment = Environment(spec, runId, folder);
        var commandError = StartCheck.Command(spec.Command, environment.GetValueOrDefault("PATH"), workDir);
        if (commandError is not null)
        {
            folder.Delete();
            return new StartResult(null, commandError, null);
        }

        string? warning = null;
        try
        {
            tokens.Write(folder.TokenFile, spec.AgentId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            warning = "no actor token for the run: " + ex.Message;
        }

        RunCgroup? cgroup = null;
        try
        {
            cgroup = cgroups.Create(runId, spec.MemoryMaxBytes, spec.PidsMax);
        }
        catch (IOException ex)
        {
            AgentLog.NoCgroup(logger, runId, ex.Message);
        }

        if ((spec.MemoryMaxBytes > 0 || spec.PidsMax > 0) && (!cgroups.CanLimit || cgroup is null))
            warning = $"limits not enforced ({cgroups.Description})";

        Process process;
        try
        {
            process = RunHolder.Start(folder, spec.Command, environment, workDir, cgroup, input, scriptPath);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
        {
            cgroup?.Remove();
            folder.Delete();
            return new StartResult(null, "cannot start the run's holder: " + ex.Message, null);
        }

        var holder = ProcessIdentity.Of(process.Id) ?? new ProcessIdentity(process.Id, 0, ProcessIdentity.BootIdNow);
        var pid = await CommandPidAsync(folder, process, cancellationToken);
        var record = new AgentRun
        {
            RunId = runId,
            AgentId = spec.AgentId,
            Pid = pid,
            StartedAt = Timestamp.FromDateTimeOffset(now),
            SpecRevision = spec.Revision,
            HolderPid = holder.Pid,
            HolderStartTicks = holder.StartTicks,
            BootId = holder.BootId,
            Cgroup = cgroup?.Serialize() ?? "",
            Interactive = input != RunInputMode.None,
            Tty = input == RunInputMode.Tty,
        };
        return new StartResult(new ActiveRun(record, folder, cgroup, holder, process), null, warning);
    }

    /// <summary>The lines as output: a terminal needs carriage returns as well.</summary>
    private static byte[]? Preamble(IReadOnlyList<string>? lines, bool tty) =>
        lines is not { Count: > 0 } ? null : System.Text.Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + (tty ? "\r\n" : "\n"))));

    private IEnumerable<string> Roots => options.WorktreeRoot is { } root ? [.. options.SafePaths, root] : options.SafePaths;

    private Dictionary<string, string> Environment(AgentSpec spec, string runId, RunFolder folder)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in PassedThrough)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
                environment[name] = value;
        }

        foreach (var (name, value) in spec.Environment)
            environment[name] = value;
        environment["MESH_ACTOR_ID"] = spec.AgentId;
        environment["MESH_RUN_ID"] = runId;
        environment["MESH_NODE_ID"] = options.NodeId;
        environment["MESH_ACTOR_TOKEN_FILE"] = folder.TokenFile;
        if ((listeners.LocalUrl?.GetLeftPart(UriPartial.Authority) ?? options.LocalEndpoint) is { } endpoint)
        {
            environment["MESH_ENDPOINT"] = endpoint;
            environment["MESH_GRPC_TARGET"] = endpoint;
        }

        return environment;
    }

    // The holder writes the command's pid right after starting it; a run that ends at once may never have one.
    private async Task<int> CommandPidAsync(RunFolder folder, Process holder, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            if (folder.CommandPid() is { } pid)
                return pid;
            if (holder.HasExited)
                return folder.CommandPid() ?? 0;
            await Task.Delay(5, cancellationToken);
        }

        return 0;
    }
}
