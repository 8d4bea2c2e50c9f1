using Google.Protobuf.WellKnownTypes;
using Mesh.Core.Protocol;
using Mesh.Hub.Agents.Replicas;

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

    /// <summary>A codebase it works on: it (and every replica) is placed only on the nodes the codebase is bound to.</summary>
    public string? Codebase { get; init; }
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
    /// <summary>How many runs of this definition the operator asked for: the agent itself plus Replicas - 1 named replicas.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Set on a replica's definition (derived, never stored): the agent it belongs to.</summary>
    public string? ReplicaOf { get; init; }

    public ulong Revision { get; init; } = 1;
    public ulong RestartGeneration { get; init; }
    public ulong KillGeneration { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The definition a replica runs: this one under the replica's name (its actor id), on its node, stopped while it
    /// drains, with a work folder of its own (a derived worktree path or data_dir/agents/&lt;name&gt;; an explicit
    /// create_worktree work_dir gets "-&lt;name&gt;").
    /// </summary>
    public AgentDefinition ForReplica(AgentReplica replica) => this with
    {
        Id = replica.Name,
        Name = $"{Name} ({replica.Name})",
        NodeId = replica.NodeId ?? "",
        ReplicaOf = Id,
        Replicas = 1,
        WorkDir = WorkFolder.Mode == AgentWorkFolderDefinition.CreateWorktree && WorkDir is not null ? $"{WorkDir}-{replica.Name}" : WorkDir,
        DesiredState = replica.State == ReplicaStates.Active ? DesiredState : AgentPolicies.Stopped,
        Revision = Revision + replica.Revision,
        CreatedAt = replica.CreatedAt,
    };

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

/// <summary>An agent (or one replica, as its derived definition) with what its node last reported about it, and an agent's replicas after itself.</summary>
public sealed record AgentView(AgentDefinition Definition, AgentStatus? Status, bool NodeOnline, IReadOnlyList<ReplicaView>? Replicas = null)
{
    /// <summary>What the UI and REST show: the node's word while it is online, "pending: …" before it has spoken or while it is away.</summary>
    public string DisplayState => !NodeOnline ? "pending: node offline" : Status?.State ?? "pending";

    // The live pages send only what changed: the replicas compare by content, not by list reference.
    public bool Equals(AgentView? other) =>
        other is not null && Definition.Equals(other.Definition) && Equals(Status, other.Status) && NodeOnline == other.NodeOnline
        && (Replicas ?? []).SequenceEqual(other.Replicas ?? []);

    public override int GetHashCode() => HashCode.Combine(Definition, Status, NodeOnline, Replicas?.Count ?? 0);
}

/// <summary>One replica of an agent with its node's last report.</summary>
public sealed record ReplicaView(AgentReplica Replica, AgentStatus? Status, bool NodeOnline)
{
    public string DisplayState =>
        Replica.NodeId is null ? "pending: no capacity"
        : Replica.State == ReplicaStates.Draining ? "draining" + (Status?.State is { Length: > 0 } s ? $" ({s})" : "")
        : !NodeOnline ? "pending: node offline" : Status?.State ?? "pending";
}
