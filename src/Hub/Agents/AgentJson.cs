using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Core.Protocol;
using Mesh.Hub.Web;

namespace Mesh.Hub.Agents;

/// <summary>The REST shapes of agents and runs (snake_case).</summary>
internal static class AgentJson
{
    /// <summary>Request bodies: snake_case, and a field the API does not know is an error rather than ignored.</summary>
    public static readonly JsonSerializerOptions Strict = new(AdminJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static object Of(AgentView view)
    {
        var a = view.Definition;
        var s = view.Status;
        return new
        {
            a.Id,
            a.Name,
            a.TeamId,
            a.Role,
            a.NodeId,
            a.Placement,
            a.Capabilities,
            a.Codebase,
            a.Command,
            a.Environment,
            a.WorkDir,
            a.RestartPolicy,
            a.StopGraceSeconds,
            a.MemoryMaxBytes,
            a.PidsMax,
            a.DesiredState,
            a.KillOnOutputLimit,
            a.Interactive,
            a.Tty,
            a.Replicas,
            a.ReplicaOf,
            ReplicaList = view.Replicas?.Select(Replica),
            WorkMode = a.WorkFolder.Mode,
            a.WorkFolder.Repo,
            a.WorkFolder.Ref,
            a.WorkFolder.Detach,
            CopyFiles = a.WorkFolder.CopyFiles ?? [],
            a.WorkFolder.SetupCommand,
            a.Revision,
            a.CreatedAt,
            a.UpdatedAt,
            Status = new
            {
                State = view.DisplayState,
                ReportedState = s?.State,
                Message = s?.Message,
                NodeOnline = view.NodeOnline,
                Restarts = s?.Restarts ?? 0,
                ConsecutiveFailures = s?.ConsecutiveFailures ?? 0,
                NextStartAt = s?.NextStartAt?.ToDateTimeOffset(),
                LimitsEnforced = s?.LimitsEnforced,
                ReportedAt = s?.At?.ToDateTimeOffset(),
                Run = s?.Run is { } run ? Run(run) : null,
                Worktree = s?.Worktree is { } worktree ? Worktree(worktree) : null,
            },
        };
    }

    /// <summary>One replica after the agent itself: name (its actor id), node, state, and its run.</summary>
    public static object Replica(ReplicaView view) => new
    {
        view.Replica.Name,
        view.Replica.NodeId,
        view.Replica.Ordinal,
        view.Replica.Rank,
        view.Replica.CreatedAt,
        Draining = view.Replica.State == Replicas.ReplicaStates.Draining,
        State = view.DisplayState,
        Run = view.Status?.Run is { } run ? Run(run) : null,
    };

    public static object Worktree(AgentWorktree w) => new
    {
        w.Path,
        w.Repo,
        Branch = w.Branch.Length == 0 ? null : w.Branch,
        w.BaseCommit,
        w.Ref,
        w.Mode,
    };

    public static object State(WorktreeState s) => new
    {
        Worktree = s.Worktree is null ? null : Worktree(s.Worktree),
        AgentId = s.AgentId.Length == 0 ? null : s.AgentId,
        s.Head,
        s.Ahead,
        s.Behind,
        Changes = s.Changes.Select(c => new { c.Path, c.Status }),
        s.ChangesTruncated,
        s.Uncommitted,
        s.Unpushed,
        Kept = s.Kept.Length == 0 ? null : s.Kept,
        Error = s.Error.Length == 0 ? null : s.Error,
    };

    public static object Run(AgentRun run) => new
    {
        run.RunId,
        run.Pid,
        StartedAt = run.StartedAt?.ToDateTimeOffset(),
        EndedAt = run.EndedAt?.ToDateTimeOffset(),
        run.SpecRevision,
        run.StdoutBytes,
        run.StderrBytes,
        run.Interactive,
        run.Tty,
        Exit = run.Exit is { } exit
            ? new { Code = exit.HasCode ? exit.Code : (int?)null, Signal = exit.Signal == 0 ? (int?)null : exit.Signal, exit.Reason, Error = exit.Error.Length == 0 ? null : exit.Error, exit.LastLines }
            : null,
    };
}
