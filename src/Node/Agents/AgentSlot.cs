using System.Diagnostics;
using Mesh.Core.Protocol;
using Mesh.Node.Agents.Output;
using Mesh.Node.Agents.Processes;

namespace Mesh.Node.Agents;

/// <summary>One agent as the node supervises it: its spec, its current run (if any) and where its restart policy stands.</summary>
internal sealed class AgentSlot(AgentSpec spec)
{
    public AgentSpec Spec { get; set; } = spec;

    public string AgentId => Spec.AgentId;

    /// <summary>running | stopping | stopped | exited | backoff | crash_loop | waiting.</summary>
    public string State { get; set; } = AgentStates.Stopped;

    public string Message { get; set; } = "";

    public ActiveRun? Run { get; set; }

    /// <summary>The last run that ended (for the status after it).</summary>
    public AgentRun? LastRun { get; set; }

    public uint Restarts { get; set; }

    public uint ConsecutiveFailures { get; set; }

    public DateTimeOffset? NextStartAt { get; set; }

    public Backoff Backoff { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public ulong RestartSeen { get; set; }

    public ulong KillSeen { get; set; }

    /// <summary>The agent's worktree (create_worktree, reuse_worktree), once made or adopted.</summary>
    public AgentWorktree? Worktree { get; set; }

    /// <summary>The worktree being made for the next start.</summary>
    public Task<Worktrees.PrepareResult>? Preparing { get; set; }

    /// <summary>The hub no longer places the agent here: stop it and forget it.</summary>
    public bool Removed { get; set; }

    public bool WantsRunning => !Removed && Spec.DesiredState == AgentDesiredState.Running;
}

/// <summary>A run that has started and not yet been seen to end.</summary>
internal sealed class ActiveRun(AgentRun record, RunFolder folder, RunCgroup? cgroup, ProcessIdentity holder, Process? child)
{
    public AgentRun Record { get; } = record;

    public RunFolder Folder { get; } = folder;

    public RunCgroup? Cgroup { get; } = cgroup;

    public ProcessIdentity Holder { get; } = holder;

    /// <summary>The holder as this node process's child; null for a run adopted after a node restart.</summary>
    public Process? Child { get; } = child;

    /// <summary>Why the node is ending it (stopped, killed, output_limit, restart, removed); null while it runs on its own.</summary>
    public string? EndingBecause { get; set; }

    public DateTimeOffset? KillAt { get; set; }

    public bool SentKill { get; set; }

    public DateTimeOffset TokenWrittenAt { get; set; }

    public bool HasEnded => Child is { } child ? child.HasExited : !Holder.IsAlive();
}

internal static class AgentStates
{
    public const string Running = "running";
    public const string Stopping = "stopping";
    public const string Stopped = "stopped";
    public const string Exited = "exited";
    public const string Backoff = "backoff";
    public const string CrashLoop = "crash_loop";
    public const string Waiting = "waiting";
    public const string Preparing = "preparing";
}

internal static class ExitReasons
{
    public const string Exited = "exited";
    public const string Stopped = "stopped";
    public const string Killed = "killed";
    public const string Crashed = "crashed";
    public const string Oom = "oom";
    public const string StartFailed = "start_failed";
    public const string NodeLost = "node_lost";
    public const string OutputLimit = "output_limit";
}
