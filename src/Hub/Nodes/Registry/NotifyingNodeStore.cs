namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// Wraps the real store so every write (operator edits, enrollment, renewal, removal) reaches the live registry's
/// cache, and through it the registry's change listeners, whoever made it; with several hubs, the other hubs' too.
/// </summary>
internal sealed class NotifyingNodeStore(INodeStore inner, NodeRegistry registry, INodeStoreChanges changes) : INodeStore
{
    public Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var added = await inner.TryAddAsync(node, cancellationToken);
        if (added)
            Written(node);
        return added;
    }

    public async Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var updated = await inner.UpdateAsync(node, cancellationToken);
        if (updated)
            Written(node);
        return updated;
    }

    public Task AddCertificateAsync(string nodeId, string serial, DateTimeOffset notAfter, DateTimeOffset issuedAt, CancellationToken cancellationToken) =>
        inner.AddCertificateAsync(nodeId, serial, notAfter, issuedAt, cancellationToken);

    public Task<IReadOnlyList<(string Serial, DateTimeOffset NotAfter)>> LiveCertificatesAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.LiveCertificatesAsync(nodeId, now, cancellationToken);

    public Task UpdateLiveStateAsync(IReadOnlyCollection<NodeLiveUpdate> updates, CancellationToken cancellationToken) =>
        inner.UpdateLiveStateAsync(updates, cancellationToken);

    private void Written(NodeRecord node)
    {
        registry.RecordWritten(node);
        changes.Written([node.Id]);
    }

    public Task<int> MarkAllOfflineAsync(CancellationToken cancellationToken) => inner.MarkAllOfflineAsync(cancellationToken);
}
