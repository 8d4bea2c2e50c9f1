using Mesh.Hub.Audit;

namespace Mesh.Hub.Nodes.Registry;

public enum NodeWriteOutcome
{
    Done,
    NotFound,
    Duplicate,
}

/// <summary>Operator changes to the registry (REST and UI share it): pre-register and edit, audited.</summary>
public sealed class NodeAdministration(INodeStore store, NodeRegistry registry, IAuditLog audit, TimeProvider time)
{
    public const string NodeRegistered = "node.registered";
    public const string NodeUpdated = "node.updated";

    /// <summary>Pre-registers a node (status pending until it joins).</summary>
    public async Task<(NodeWriteOutcome Outcome, NodeView? Node)> RegisterAsync(NodeSettings settings, string actor, string? source, CancellationToken cancellationToken)
    {
        var record = new NodeRecord
        {
            Id = settings.Id,
            Name = settings.Name ?? settings.Id,
            GrpcTarget = settings.GrpcTarget,
            TlsServerName = settings.TlsServerName,
            DefaultWorktreeRoot = settings.DefaultWorktreeRoot,
            Labels = settings.Labels ?? new Dictionary<string, string>(),
            Status = NodeStatus.Pending,
            CreatedAt = time.GetUtcNow(),
        };
        if (!await store.TryAddAsync(record, cancellationToken))
            return (NodeWriteOutcome.Duplicate, registry.Get(settings.Id));
        await audit.RecordAsync(actor, NodeRegistered, settings.Id, source, null, cancellationToken);
        return (NodeWriteOutcome.Done, registry.Get(settings.Id));
    }

    /// <summary>Replaces the operator-set fields (name, gRPC target, TLS server name, worktree root, labels).</summary>
    public async Task<(NodeWriteOutcome Outcome, NodeView? Node)> UpdateAsync(NodeSettings settings, string actor, string? source, CancellationToken cancellationToken)
    {
        var current = registry.Get(settings.Id)?.Record ?? await store.GetAsync(settings.Id, cancellationToken);
        if (current is null)
            return (NodeWriteOutcome.NotFound, null);
        var updated = current with
        {
            Name = settings.Name ?? current.Id,
            GrpcTarget = settings.GrpcTarget,
            TlsServerName = settings.TlsServerName,
            DefaultWorktreeRoot = settings.DefaultWorktreeRoot,
            Labels = settings.Labels ?? new Dictionary<string, string>(),
        };
        if (!await store.UpdateAsync(updated, cancellationToken))
            return (NodeWriteOutcome.NotFound, null);
        await audit.RecordAsync(actor, NodeUpdated, settings.Id, source, null, cancellationToken);
        return (NodeWriteOutcome.Done, registry.Get(settings.Id));
    }
}

/// <summary>The operator-set fields of a node.</summary>
public sealed record NodeSettings(string Id, string? Name, string? GrpcTarget, string? TlsServerName, string? DefaultWorktreeRoot, IReadOnlyDictionary<string, string>? Labels);
