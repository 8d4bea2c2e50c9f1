using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Revocation;

/// <summary>Revoked nodes and certificates in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class RevocationStore(IHubDatabase database) : IRevocationStore
{
    public async Task<(IReadOnlyList<RevokedCertificate> Certificates, IReadOnlyDictionary<string, DateTimeOffset> Nodes)> LoadAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var prune = connection.Command("DELETE FROM revoked_certificates WHERE not_after <= @now").With("now", now))
            await prune.ExecuteNonQueryAsync(cancellationToken);

        var certificates = new List<RevokedCertificate>();
        await using (var certs = connection.Command("SELECT serial, not_after, revoked_at, reason FROM revoked_certificates"))
        await using (var reader = await certs.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                certificates.Add(new RevokedCertificate(reader.GetString(0), reader.GetTime(1), reader.GetTime(2), reader.GetString(3)));
        }

        var nodes = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using var select = connection.Command("SELECT node_id, revoked_at FROM revoked_nodes");
        await using var nodeReader = await select.ExecuteReaderAsync(cancellationToken);
        while (await nodeReader.ReadAsync(cancellationToken))
            nodes[nodeReader.GetString(0)] = nodeReader.GetTime(1);
        return (certificates, nodes);
    }

    public async Task RevokeNodeAsync(string nodeId, IReadOnlyList<(string Serial, DateTimeOffset NotAfter)> certificates, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var node = connection.Command(
                "INSERT INTO revoked_nodes (node_id, revoked_at, reason) VALUES (@node, @at, @reason) ON CONFLICT (node_id) DO UPDATE SET revoked_at = @at, reason = @reason", transaction)
            .With("node", nodeId).With("at", at).With("reason", reason))
            await node.ExecuteNonQueryAsync(cancellationToken);
        foreach (var (serial, notAfter) in certificates)
        {
            await using var cert = connection.Command(
                    "INSERT INTO revoked_certificates (serial, node_id, not_after, revoked_at, reason) VALUES (@serial, @node, @not_after, @at, @reason) " +
                    "ON CONFLICT (serial) DO UPDATE SET node_id = @node, not_after = @not_after, revoked_at = @at, reason = @reason", transaction)
                .With("serial", serial).With("node", nodeId).With("not_after", notAfter).With("at", at).With("reason", reason);
            await cert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task ReinstateNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM revoked_nodes WHERE node_id = @node").With("node", nodeId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
