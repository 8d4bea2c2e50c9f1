using Google.Protobuf;
using Mesh.Rpc.Framing;

namespace Mesh.Rpc.Server;

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class RequestStreamReader<T> : IRpcStreamReader<T>
    where T : class, IMessage<T>
{
    private readonly RpcCallContext _call;
    private readonly MessageParser<T> _parser;
    private readonly bool _startResponseFirst;
    private T? _current;
    private bool _ended;

    public RequestStreamReader(RpcCallContext call, MessageParser<T> parser, bool startResponseFirst)
    {
        _call = call;
        _parser = parser;
        _startResponseFirst = startResponseFirst;
    }

    public T Current => _current ?? throw new InvalidOperationException("Call MoveNextAsync and check that it returned true before reading Current.");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (_ended)
        {
            return false;
        }

        var token = cancellationToken.CanBeCanceled ? cancellationToken : _call.CancellationToken;
        if (_startResponseFirst)
        {
            // Duplex: the caller sees our headers before we wait on its first message.
            await _call.EnsureResponseStartedAsync(token).ConfigureAwait(false);
        }

        var message = await FrameReader.ReadMessageAsync(_call.RequestBody, _parser, _call.MaxReceiveMessageSize, token).ConfigureAwait(false);
        if (message is null)
        {
            _ended = true;
            _current = null;
            return false;
        }

        _current = message;
        return true;
    }
}
