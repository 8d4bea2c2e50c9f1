using Mesh.Hub.Audit;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Nodes;

public enum RemovalOutcome
{
    Removed,
    NotFound,
    AlreadyRemoved,
    Refused,
}

/// <summary>
/// Removing a node (REST and UI share it), in order: revoke its certificates, close its live session, detach it
/// from the registry, audit.
/// </summary>
public sealed class NodeRemoval(
    INodeStore nodes,
    RevocationRegistry revocations,
    NodeSessionManager sessions,
    IAuditLog audit,
    IEnumerable<INodeRemovalCheck> checks,
    TimeProvider time,
    ILogger<NodeRemoval> logger)
{
    /// <summary>Why the node may not be removed now (agents placed on it), or null.</summary>
    public string? Refusal(string nodeId) => checks.Select(c => c.Refusal(nodeId)).FirstOrDefault(r => r is not null);

    public async Task<RemovalOutcome> RemoveAsync(string nodeId, string actor, string? source, CancellationToken cancellationToken)
    {
        var node = await nodes.GetAsync(nodeId, cancellationToken);
        if (node is null)
            return RemovalOutcome.NotFound;
        if (node.Status == NodeStatus.Revoked)
            return RemovalOutcome.AlreadyRemoved;
        if (Refusal(nodeId) is not null)
            return RemovalOutcome.Refused;

        // 1. Every certificate the node holds goes on the deny-list: no handshake or call of it is accepted from now on.
        var now = time.GetUtcNow();
        var certificates = await nodes.LiveCertificatesAsync(nodeId, now, cancellationToken);
        var removedAt = await revocations.RevokeNodeAsync(nodeId, certificates, $"removed by {actor}", cancellationToken);

        // 2. Its live session ends with the reason.
        sessions.CloseRemoved(nodeId, removedAt);

        // 3. The registry shows it revoked (the write reaches the live registry and its pages through the store).
        await nodes.UpdateAsync(node with { Status = NodeStatus.Revoked, RevokedAt = now, ConnectedSince = null }, cancellationToken);

        // 4. Audit and log.
        await audit.RecordAsync(actor, AuditActions.NodeRevoked, nodeId, source, $"certificates={certificates.Count}", cancellationToken);
        NodesLog.Removed(logger, nodeId, actor, certificates.Count);
        return RemovalOutcome.Removed;
    }
}
