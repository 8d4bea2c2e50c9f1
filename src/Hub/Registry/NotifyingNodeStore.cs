namespace Mesh.Hub.Registry;

/// <summary>
/// Wraps the real store so every write (operator edits, enrollment, renewal, removal) reaches the live registry's
/// cache and its subscribers, whoever made it.
/// </summary>
internal sealed class NotifyingNodeStore(INodeStore inner, NodeStoreWrites writes) : INodeStore
{
    public Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public async Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var added = await inner.TryAddAsync(node, cancellationToken);
        if (added)
            writes.Written(node);
        return added;
    }

    public async Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var updated = await inner.UpdateAsync(node, cancellationToken);
        if (updated)
            writes.Written(node);
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

/// <summary>The registry listens here for records written through the store.</summary>
internal sealed class NodeStoreWrites
{
    public event Action<NodeRecord>? RecordWritten;

    public void Written(NodeRecord node) => RecordWritten?.Invoke(node);
}
