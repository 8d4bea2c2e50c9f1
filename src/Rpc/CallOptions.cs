namespace Mesh.Rpc;

/// <summary>Per-call options for <see cref="RpcChannel"/> calls.</summary>
/// <param name="Headers">Request metadata (e.g. <c>authorization: Bearer …</c>).</param>
/// <param name="Deadline">Absolute UTC deadline; sent as <c>grpc-timeout</c> and enforced locally (DEADLINE_EXCEEDED).</param>
/// <param name="CancellationToken">Cancels the call: the HTTP/2 stream is reset and the call fails with CANCELLED.</param>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    /// <summary>Options with a deadline <paramref name="timeout"/> from now.</summary>
    public static CallOptions WithTimeout(TimeSpan timeout, Metadata? headers = null, CancellationToken cancellationToken = default) =>
        new(headers, DateTime.UtcNow + timeout, cancellationToken);
}
