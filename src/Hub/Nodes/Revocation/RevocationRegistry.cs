using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Mesh.Hub.Cluster;
using Mesh.Hub.InternalApi;
using Mesh.Pki;

namespace Mesh.Hub.Nodes.Revocation;

/// <summary>
/// The deny-list of removed nodes and their certificate serials: persisted in the hub store, held in memory for the
/// TLS handshake path, kept until each certificate's expiry. Each removal or reinstatement is announced on the cluster
/// bus (<see cref="Channel"/>), so the other hubs reload theirs (<see cref="ReloadAsync"/>) and refuse the node too.
/// </summary>
public sealed class RevocationRegistry : INodeRevocations
{
    /// <summary>Carries the id of a node that was removed or reinstated.</summary>
    public const string Channel = "nodes.revoked";

    private readonly IRevocationStore _store;
    private readonly IHubBus _bus;
    private readonly TimeProvider _time;
    private readonly RevocationList _certificates = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nodes = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public RevocationRegistry(IRevocationStore store, IHubBus bus, TimeProvider time)
    {
        _store = store;
        _bus = bus;
        _time = time;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var (certificates, nodes) = await _store.LoadAsync(_time.GetUtcNow(), cancellationToken);
        lock (_gate)
        {
            foreach (var c in certificates)
                _certificates.Revoke(c.Serial, c.NotAfter, c.RevokedAt, c.Reason);
        }

        foreach (var (node, at) in nodes)
            _nodes[node] = at;
        foreach (var reinstated in _nodes.Keys.Where(n => !nodes.ContainsKey(n)))
            _nodes.TryRemove(reinstated, out _);
    }

    /// <summary>Reads the deny-list again (another hub removed or reinstated a node); revoked serials are only ever added.</summary>
    public Task ReloadAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Revokes a node and the given certificate serials in one transaction; returns when it was revoked.</summary>
    public async Task<DateTimeOffset> RevokeNodeAsync(string nodeId, IReadOnlyList<(string Serial, DateTimeOffset NotAfter)> certificates, string reason, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await _store.RevokeNodeAsync(nodeId, certificates, reason, now, cancellationToken);
        lock (_gate)
        {
            foreach (var (serial, notAfter) in certificates)
                _certificates.Revoke(serial, notAfter, now, reason);
        }

        _nodes[nodeId] = now;
        await _bus.PublishAsync(Channel, nodeId, cancellationToken);
        return now;
    }

    /// <summary>Lifts a node's removal (it re-joins with a token bound to its id); its old serials stay revoked.</summary>
    public async Task ReinstateNodeAsync(string nodeId, CancellationToken cancellationToken)
    {
        await _store.ReinstateNodeAsync(nodeId, cancellationToken);
        _nodes.TryRemove(nodeId, out _);
        await _bus.PublishAsync(Channel, nodeId, cancellationToken);
    }

    public bool IsCertificateRevoked(X509Certificate2 certificate)
    {
        lock (_gate)
            return _certificates.IsRevoked(certificate);
    }

    public DateTimeOffset? NodeRevokedAt(string nodeId) => _nodes.TryGetValue(nodeId, out var at) ? at : null;
}
