namespace Mesh.Hub.Registry;

/// <summary>Persistence of the node registry (SQLite by default; PostgreSQL for several hub replicas).</summary>
public interface INodeStore
{
    Task<NodeRecord?> GetAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<NodeRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Inserts the node; false if the id exists.</summary>
    Task<bool> TryAddAsync(NodeRecord node, CancellationToken cancellationToken);

    /// <summary>Replaces the whole record (the caller read it first); false if the id does not exist.</summary>
    Task<bool> UpdateAsync(NodeRecord node, CancellationToken cancellationToken);

    /// <summary>Records an issued certificate (so removal can revoke every serial the node holds).</summary>
    Task AddCertificateAsync(string nodeId, string serial, DateTimeOffset notAfter, DateTimeOffset issuedAt, CancellationToken cancellationToken);

    /// <summary>Serials of the node's certificates that have not expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<(string Serial, DateTimeOffset NotAfter)>> LiveCertificatesAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken);
}
