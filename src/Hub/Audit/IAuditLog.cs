namespace Mesh.Hub.Audit;

/// <summary>The hub's persistent audit log. Never pass secrets in any field.</summary>
public interface IAuditLog
{
    Task RecordAsync(string actor, string action, string? target, string? source, string? details, CancellationToken cancellationToken);

    /// <summary>Newest first: at most <paramref name="limit"/> entries older than <paramref name="beforeId"/> that <paramref name="filter"/> keeps.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? beforeId, AuditFilter filter, CancellationToken cancellationToken);

    /// <summary>Newest first, unfiltered.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(int limit, long? beforeId, CancellationToken cancellationToken) =>
        ListAsync(limit, beforeId, AuditFilter.Any, cancellationToken);
}

/// <summary>Audit action names (stable: operators filter on them).</summary>
public static class AuditActions
{
    public const string JoinTokenCreated = "join_token.created";
    public const string JoinTokenUsed = "join_token.used";
    public const string JoinTokenRevoked = "join_token.revoked";
    public const string JoinFailed = "join.failed";
    public const string NodeEnrolled = "node.enrolled";
    public const string NodeProvisioned = "node.provisioned";
    public const string NodeProvisioningFailed = "node.provisioning_failed";
    public const string NodeRenewed = "node.renewed";
    public const string NodeRevoked = "node.revoked";
    public const string AuthFailed = "auth.failed";
    public const string AgentCreated = "agent.created";
    public const string AgentUpdated = "agent.updated";
    public const string AgentDeleted = "agent.deleted";
    public const string AgentStarted = "agent.started";
    public const string AgentStopped = "agent.stopped";
    public const string AgentRestarted = "agent.restarted";
    public const string AgentKilled = "agent.killed";
    public const string AgentScaled = "agent.scaled";
    public const string AgentReplicaRemoved = "agent.replica_removed";
    public const string AgentEventRefused = "agent.event_refused";
    public const string AgentInput = "agent.input";
    public const string WorktreeRemoved = "worktree.removed";
}
