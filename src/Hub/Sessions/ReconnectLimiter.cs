using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Sessions;

/// <summary>Caps how often one node may open a session. Keyed by authenticated node id, so bounded by the registry.</summary>
internal sealed class ReconnectLimiter(IOptions<NodeSessionOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly NodeSessionOptions _options = options.Value;

    public bool TryAcquire(string nodeId, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        var bucket = _buckets.GetOrAdd(nodeId, _ => new TokenBucket(_options.ReconnectBurst, 1 / _options.ReconnectRefill.TotalSeconds, now));
        lock (bucket)
            return bucket.TryTake(now, out retryAfter);
    }

    public void Forget(string nodeId) => _buckets.TryRemove(nodeId, out _);
}
