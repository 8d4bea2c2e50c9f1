using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Mesh.Hub.InternalApi;
using Mesh.Hub.Storage;
using Mesh.Pki;

namespace Mesh.Hub.Nodes.Revocation;

/// <summary>
/// The deny-list of removed nodes and their certificate serials: persisted in SQLite, held in memory for the
/// TLS handshake path, kept until each certificate's expiry.
/// </summary>
public sealed class RevocationRegistry : INodeRevocations
{
    private readonly HubDatabase _database;
    private readonly TimeProvider _time;
    private readonly RevocationList _certificates = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nodes = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public RevocationRegistry(HubDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var now = _time.GetUtcNow();
        await using (var prune = connection.Command("DELETE FROM revoked_certificates WHERE not_after <= $now").With("$now", now.ToDb()))
            await prune.ExecuteNonQueryAsync(cancellationToken);

        await using (var certs = connection.Command("SELECT serial, not_after, revoked_at, reason FROM revoked_certificates"))
        await using (var reader = await certs.ExecuteReaderAsync(cancellationToken))
        {
            lock (_gate)
            {
                while (reader.Read())
                    _certificates.Revoke(reader.GetString(0), reader.GetTime(1), reader.GetTime(2), reader.GetString(3));
            }
        }

        await using var nodes = connection.Command("SELECT node_id, revoked_at FROM revoked_nodes");
        await using var nodeReader = await nodes.ExecuteReaderAsync(cancellationToken);
        while (await nodeReader.ReadAsync(cancellationToken))
            _nodes[nodeReader.GetString(0)] = nodeReader.GetTime(1);
    }

    /// <summary>Revokes a node and the given certificate serials in one transaction; returns when it was revoked.</summary>
    public async Task<DateTimeOffset> RevokeNodeAsync(string nodeId, IReadOnlyList<(string Serial, DateTimeOffset NotAfter)> certificates, string reason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using (var connection = await _database.OpenAsync(cancellationToken))
        await using (var transaction = connection.BeginTransaction())
        {
            await using (var node = connection.Command(
                    "INSERT INTO revoked_nodes (node_id, revoked_at, reason) VALUES ($node, $at, $reason) ON CONFLICT(node_id) DO UPDATE SET revoked_at = $at, reason = $reason", transaction)
                .With("$node", nodeId).With("$at", now.ToDb()).With("$reason", reason))
                await node.ExecuteNonQueryAsync(cancellationToken);
            foreach (var (serial, notAfter) in certificates)
            {
                await using var cert = connection.Command(
                        "INSERT OR REPLACE INTO revoked_certificates (serial, node_id, not_after, revoked_at, reason) VALUES ($serial, $node, $not_after, $at, $reason)", transaction)
                    .With("$serial", serial).With("$node", nodeId).With("$not_after", notAfter.ToDb()).With("$at", now.ToDb()).With("$reason", reason);
                await cert.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        lock (_gate)
        {
            foreach (var (serial, notAfter) in certificates)
                _certificates.Revoke(serial, notAfter, now, reason);
        }

        _nodes[nodeId] = now;
        return now;
    }

    /// <summary>Lifts a node's removal (it re-joins with a token bound to its id); its old serials stay revoked.</summary>
    public async Task ReinstateNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM revoked_nodes WHERE node_id = $node").With("$node", nodeId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        _nodes.TryRemove(nodeId, out _);
    }

    public bool IsCertificateRevoked(X509Certificate2 certificate)
    {
        lock (_gate)
            return _certificates.IsRevoked(certificate);
    }

    public DateTimeOffset? NodeRevokedAt(string nodeId) => _nodes.TryGetValue(nodeId, out var at) ? at : null;
}
