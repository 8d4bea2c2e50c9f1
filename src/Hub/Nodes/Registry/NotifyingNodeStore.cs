namespace Mesh.Hub.Nodes.Registry;

/// <summary>
/// Wraps the real store so every write (operator edits, enrollment, renewal, removal) reaches the live registry's
/// cache, and through it the registry's change listeners, whoever made it.
/// </summary>
internal sealed class NotifyingNodeStore(INodeStore inner, NodeRegistry registry) : INodeStore
{
    public Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var added = await inner.TryAddAsync(node, cancellationToken);
        if (added)
            registry.RecordWritten(node);
        return added;
    }

    public async Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var updated = await inner.UpdateAsync(node, cancellationToken);
        if (updated)
            registry.RecordWritten(node);
        return updated;
    }

    public Task AddCertificateAsync(string nodeId, string serial, DateTimeOffset notAfter, DateTimeOffset issuedAt, CancellationToken cancellationToken) =>
        inner.AddCertificateAsync(nodeId, serial, notAfter, issuedAt, cancellationToken);

    public Task<IReadOnlyList<(string Serial, DateTimeOffset NotAfter)>> LiveCertificatesAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        inner.LiveCertificatesAsync(nodeId, now, cancellationToken);

    public Task UpdateLiveStateAsync(IReadOnlyCollection<NodeLiveUpdate> updates, CancellationToken cancellationToken) =>
        inner.UpdateLiveStateAsync(updates, cancellationToken);

    public Task<int> MarkAllOfflineAsync(CancellationToken cancellationToken) => inner.MarkAllOfflineAsync(cancellationToken);
}
