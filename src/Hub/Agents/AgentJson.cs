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
            a.Command,
            a.Environment,
            a.WorkDir,
            a.RestartPolicy,
            a.StopGraceSeconds,
            a.MemoryMaxBytes,
            a.PidsMax,
            a.DesiredState,
            a.KillOnOutputLimit,
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
            },
        };
    }

    public static object Run(AgentRun run) => new
    {
        run.RunId,
        run.Pid,
        StartedAt = run.StartedAt?.ToDateTimeOffset(),
        EndedAt = run.EndedAt?.ToDateTimeOffset(),
        run.SpecRevision,
        run.StdoutBytes,
        run.StderrBytes,
        Exit = run.Exit is { } exit
            ? new { Code = exit.HasCode ? exit.Code : (int?)null, Signal = exit.Signal == 0 ? (int?)null : exit.Signal, exit.Reason, Error = exit.Error.Length == 0 ? null : exit.Error, exit.LastLines }
            : null,
    };
}
