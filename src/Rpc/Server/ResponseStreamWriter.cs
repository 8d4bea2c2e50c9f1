using Google.Protobuf;

namespace Mesh.Rpc.Server;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class ResponseStreamWriter<T> : IRpcStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly RpcCallContext _call;

    public ResponseStreamWriter(RpcCallContext call) => _call = call;

    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) =>
        WriteAsync(message, flush: true, cancellationToken);

    public ValueTask WriteAsync(T message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _call.WriteMessageAsync(message, flush, cancellationToken.CanBeCanceled ? cancellationToken : _call.CancellationToken);
    }
}
