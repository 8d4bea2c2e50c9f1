namespace Mesh.Rpc;

/// <summary>
/// Writes a stream of messages. One write at a time: a second write while one is pending is a bug and throws
/// <see cref="InvalidOperationException"/>.
/// </summary>
public interface IRpcStreamWriter<in T>
{
    /// <summary>Writes and flushes one message.</summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes one message and flushes only when <paramref name="flush"/> is true: batches of small messages
    /// then share HTTP/2 DATA frames. The last write of a batch must flush (or the call must end).
    /// </summary>
    ValueTask WriteAsync(T message, bool flush, CancellationToken cancellationToken = default);
}

/// <summary>The request stream of a client- or duplex-streaming call: <see cref="CompleteAsync"/> half-closes it.</summary>
public interface IClientStreamWriter<in T> : IRpcStreamWriter<T>
{
    /// <summary>Signals the end of the request stream (HTTP/2 END_STREAM).</summary>
    Task CompleteAsync();
}
