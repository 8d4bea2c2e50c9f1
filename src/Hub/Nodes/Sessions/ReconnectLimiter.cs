using Mesh.Hub.InternalApi;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>Caps how often one node may open a session. Keyed by authenticated node id, so bounded by the registry.</summary>
internal sealed class ReconnectLimiter(IOptions<NodeSessionOptions> options, TimeProvider time) : IDisposable
{
    private readonly KeyedTokenBuckets _buckets = new(options.Value.ReconnectBurst, options.Value.ReconnectRefill, time);

    public bool TryAcquire(string nodeId, out TimeSpan retryAfter) => _buckets.TryAcquire(nodeId, out retryAfter);

    public void Forget(string nodeId) => _buckets.Forget(nodeId);

    public void Dispose() => _buckets.Dispose();
}
