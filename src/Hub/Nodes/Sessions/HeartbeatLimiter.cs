using Mesh.Hub.InternalApi;
using Microsoft.Extensions.Options;

namespace Mesh.Hub.Nodes.Sessions;

/// <summary>
/// The heartbeat flood limit of each session: a burst of <see cref="NodeSessionOptions.HeartbeatBurst"/>, then
/// <see cref="NodeSessionOptions.HeartbeatsPerSecond"/> sustained; a new session starts with a full bucket.
/// </summary>
internal sealed class HeartbeatLimiter(IOptions<NodeSessionOptions> options, TimeProvider time) : IDisposable
{
    private readonly KeyedTokenBuckets _buckets = new(options.Value.HeartbeatBurst, TimeSpan.FromSeconds(1 / options.Value.HeartbeatsPerSecond), time);

    public bool TryAcquire(string nodeId, long generation) => _buckets.TryAcquire(Key(nodeId, generation), out _);

    public void Forget(string nodeId, long generation) => _buckets.Forget(Key(nodeId, generation));

    public void Dispose() => _buckets.Dispose();

    private static string Key(string nodeId, long generation) => nodeId + "#" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
