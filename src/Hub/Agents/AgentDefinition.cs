using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;

namespace Mesh.Hub.Agents;

/// <summary>An agent as the operator defined it: what runs, where, how it restarts, and what it should be doing now.</summary>
public sealed record AgentDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? TeamId { get; init; }
    public string Role { get; init; } = "worker";

    /// <summary>The node it is placed on (resolved from <see cref="Placement"/> when created).</summary>
    public required string NodeId { get; init; }

    /// <summary>What the operator asked for: a node id or "auto".</summary>
    public required string Placement { get; init; }

    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? WorkDir { get; init; }
    public string RestartPolicy { get; init; } = AgentPolicies.OnFailure;
    public int StopGraceSeconds { get; init; } = 10;
    public long MemoryMaxBytes { get; init; }
    public int PidsMax { get; init; }
    public string DesiredState { get; init; } = AgentPolicies.Running;
    public bool KillOnOutputLimit { get; init; }

    /// <summary>Runs start with stdin open for input from the hub (root only).</summary>
    public bool Interactive { get; init; }

    /// <summary>Runs start in a pseudo-terminal on the node (implies <see cref="Interactive"/>).</summary>
    public bool Tty { get; init; }

    /// <summary>How the work folder is made: use_existing (work_dir), create_worktree, reuse_worktree (work_dir).</summary>
    public AgentWorkFolderDefinition WorkFolder { get; init; } = AgentWorkFolderDefinition.Existing;
    public ulong Revision { get; init; } = 1;
    public ulong RestartGeneration { get; init; }
    public ulong KillGeneration { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public AgentSpec ToSpec()
    {
        var spec = new AgentSpec
        {
            AgentId = Id,
            Revision = Revision,
            DisplayName = Name,
            WorkDir = WorkDir ?? "",
            RestartPolicy = RestartPolicy switch
            {
                AgentPolicies.Never => AgentRestartPolicy.Never,
                AgentPolicies.Always => AgentRestartPolicy.Always,
                _ => AgentRestartPolicy.OnFailure,
            },
            StopGrace = Duration.FromTimeSpan(TimeSpan.FromSeconds(StopGraceSeconds)),
            MemoryMaxBytes = MemoryMaxBytes,
            PidsMax = PidsMax,
            DesiredState = DesiredState == AgentPolicies.Running ? AgentDesiredState.Running : AgentDesiredState.Stopped,
            RestartGeneration = RestartGeneration,
            KillGeneration = KillGeneration,
            KillOnOutputLimit = KillOnOutputLimit,
            WorkFolder = WorkFolder.ToSpec(),
            Interactive = Interactive || Tty,
            Tty = Tty,
        };
        spec.Command.AddRange(Command);
        foreach (var (name, value) in Environment)
            spec.Environment[name] = value;
        return spec;
    }
}

/// <summary>An agent's work-folder mode; repository, ref, detach, copied files and setup apply to create_worktree.</summary>
public sealed record AgentWorkFolderDefinition(string Mode, string? Repo = null, string? Ref = null, bool Detach = false,
    IReadOnlyList<string>? CopyFiles = null, IReadOnlyList<string>? SetupCommand = null)
{
    public const string UseExisting = "use_existing";
    public const string CreateWorktree = "create_worktree";
    public const string ReuseWorktree = "reuse_worktree";

    public static readonly AgentWorkFolderDefinition Existing = new(UseExisting);

    public static readonly string[] Modes = [UseExisting, CreateWorktree, ReuseWorktree];

    public bool IsWorktree => Mode is CreateWorktree or ReuseWorktree;

    public AgentWorkFolder ToSpec()
    {
        var folder = new AgentWorkFolder { Mode = Mode, Repo = Repo ?? "", Ref = Ref ?? "", Detach = Detach };
        folder.CopyFiles.AddRange(CopyFiles ?? []);
        folder.SetupCommand.AddRange(SetupCommand ?? []);
        return folder;
    }
}

public static class AgentPolicies
{
    public const string Never = "never";
    public const string OnFailure = "on-failure";
    public const string Always = "always";
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Auto = "auto";

    public static readonly string[] RestartPolicies = [Never, OnFailure, Always];
}

/// <summary>An agent with what its node last reported about it.</summary>
public sealed record AgentView(AgentDefinition Definition, AgentStatus? Status, bool NodeOnline)
{
    /// <summary>What the UI and REST show: the node's word while it is online, "pending: …" before it has spoken or while it is away.</summary>
    public string DisplayState => !NodeOnline ? "pending: node offline" : Status?.State ?? "pending";
}
