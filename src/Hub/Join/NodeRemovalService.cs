using Mesh.Hub.Audit;
using Mesh.Hub.Registry;
using Mesh.Hub.Revocation;

namespace Mesh.Hub.Join;

public enum RemovalOutcome
{
    Removed,
    NotFound,
    AlreadyRemoved,
}

/// <summary>Removing a node: mark it revoked, put every live certificate serial on the deny-list, drop its sessions.</summary>
public sealed class NodeRemovalService(INodeStore nodes, RevocationRegistry revocations, IAuditLog audit, TimeProvider time, ILogger<NodeRemovalService> logger)
{
    public async Task<RemovalOutcome> RemoveAsync(string nodeId, string actor, string? source, CancellationToken cancellationToken)
    {
        var node = await nodes.GetAsync(nodeId, cancellationToken);
        if (node is null)
            return RemovalOutcome.NotFound;
        if (node.Status == NodeStatus.Revoked)
            return RemovalOutcome.AlreadyRemoved;

        var now = time.GetUtcNow();
        var certificates = await nodes.LiveCertificatesAsync(nodeId, now, cancellationToken);
        await revocations.RevokeNodeAsync(nodeId, certificates, $"removed by {actor}", cancellationToken);
        await nodes.UpdateAsync(node with { Status = NodeStatus.Revoked, RevokedAt = now, ConnectedSince = null }, cancellationToken);
        await audit.RecordAsync(actor, AuditActions.NodeRevoked, nodeId, source, $"certificates={certificates.Count}", cancellationToken);
        JoinLog.Revoked(logger, nodeId, actor, certificates.Count);
        return RemovalOutcome.Removed;
    }
}
