using Mesh.Core.Configuration;

namespace Mesh.Node.Agents;

/// <summary>What the agent runtime takes from the node's configuration.</summary>
internal sealed record AgentRuntimeOptions(
    string NodeId,
    string DataDir,
    int MaxAgents,
    long OutputLimitPerRun,
    long OutputLimitTotal,
    TimeSpan TokenLifetime,
    IReadOnlyList<string> SafePaths,
    string? WorktreeRoot,
    string? LocalEndpoint,
    string Issuer,
    string Audience)
{
    /// <summary>[worktree] quota: bytes all worktrees may take together; null: none.</summary>
    public long? WorktreeQuota { get; init; }

    /// <summary>[worktree] usage_interval: how old a worktree's measured size may get.</summary>
    public TimeSpan WorktreeUsageInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Runs' folders: data_dir/runs.</summary>
    public string RunsRoot => Path.Combine(DataDir, "runs");

    /// <summary>The folder an agent without a work folder runs in: data_dir/agents/ID (always allowed).</summary>
    public string DefaultWorkDir(string agentId) => Path.Combine(DataDir, "agents", agentId);

    public static AgentRuntimeOptions From(MeshConfig config)
    {
        var local = config.Node.LocalListen;
        return new AgentRuntimeOptions(
            config.Server.NodeId!,
            config.Server.DataDir,
            config.Node.MaxAgents,
            config.Node.OutputLimitPerRun,
            config.Node.OutputLimitTotal,
            config.Node.AgentTokenLifetime,
            config.Node.SafePaths,
            config.Worktree.DefaultRoot,
            local is null ? null : $"http://{(local.Host.Contains(':', StringComparison.Ordinal) ? "[" + local.Host + "]" : local.Host)}:{local.Port}",
            config.InternalGrpc.Auth.Issuer,
            config.InternalGrpc.Auth.Audience)
        {
            WorktreeQuota = config.Worktree.Quota,
            WorktreeUsageInterval = config.Worktree.UsageInterval,
        };
    }
}
