namespace Mesh.Hub.Nodes.Revocation;

/// <summary>A revoked certificate as stored: kept until <see cref="NotAfter"/>, when it could no longer be used anyway.</summary>
public sealed record RevokedCertificate(string Serial, DateTimeOffset NotAfter, DateTimeOffset RevokedAt, string Reason);

/// <summary>Persistence of the deny-list (removed nodes and their certificate serials).</summary>
public interface IRevocationStore
{
    /// <summary>Drops certificates that expired by <paramref name="now"/>, then returns what is still revoked.</summary>
    Task<(IReadOnlyList<RevokedCertificate> Certificates, IReadOnlyDictionary<string, DateTimeOffset> Nodes)> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes the node and the given serials at <paramref name="at"/> in one transaction (again: the newer time and reason win).</summary>
    Task RevokeNodeAsync(string nodeId, IReadOnlyList<(string Serial, DateTimeOffset NotAfter)> certificates, string reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Lifts the node's removal; its certificates stay revoked.</summary>
    Task ReinstateNodeAsync(string nodeId, CancellationToken cancellationToken);
}
