namespace Mesh.Hub.Nodes.Registry;

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

    /// <summary>
    /// Writes the volatile part of many nodes (status, last heartbeat, connected-since, reported facts) in one
    /// transaction: heartbeats are coalesced in memory and flushed in batches, never one fsync each. A node that is
    /// revoked (or pending) in the store keeps that status.
    /// </summary>
    Task UpdateLiveStateAsync(IReadOnlyCollection<NodeLiveUpdate> updates, CancellationToken cancellationToken);

    /// <summary>At hub start: every online or degraded node becomes offline (nobody is connected yet). Returns how many.</summary>
    Task<int> MarkAllOfflineAsync(CancellationToken cancellationToken);
}

/// <summary>The live part of a node record, as flushed from memory.</summary>
public sealed record NodeLiveUpdate(
    string Id,
    NodeStatus Status,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset? ConnectedSince,
    NodeReportedFacts? Facts);

/// <summary>What a node says about itself in its session hello.</summary>
public sealed record NodeReportedFacts(
    string? Hostname,
    string? Platform,
    string? Arch,
    int CpuCount,
    long MemoryBytes,
    string? Version,
    IReadOnlyList<string> Capabilities);
