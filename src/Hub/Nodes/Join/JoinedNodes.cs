using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Mesh.Hub.Nodes.Join;

/// <summary>
/// Which nodes enrolled with which one-time token since the hub started: what the Join page's "waiting for your
/// node" panel watches. In memory only and bounded (<see cref="MaxTokens"/>; past it the oldest knowledge is dropped
/// and a panel falls back to "waiting"). The cluster bootstrap token is not tracked: it is not shown on that panel.
/// </summary>
public sealed class JoinedNodes
{
    public const int MaxTokens = 4096;

    private readonly ConcurrentDictionary<string, ImmutableArray<string>> _byToken = new(StringComparer.Ordinal);

    public void Record(string tokenId, string nodeId)
    {
        if (tokenId == Mesh.Core.Join.JoinToken.ClusterTokenId)
            return;
        if (_byToken.Count >= MaxTokens && !_byToken.ContainsKey(tokenId))
            _byToken.Clear();
        _byToken.AddOrUpdate(tokenId, [nodeId], (_, ids) => ids.Contains(nodeId) ? ids : ids.Add(nodeId));
    }

    public IReadOnlyList<string> For(string tokenId) => _byToken.TryGetValue(tokenId, out var ids) ? ids : [];
}
