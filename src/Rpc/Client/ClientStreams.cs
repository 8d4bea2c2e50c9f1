using Google.Protobuf;

namespace Mesh.Rpc.Client;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class ClientResponseStream<TRequest, TResponse>(ClientCall<TRequest, TResponse> call) : IRpcStreamReader<TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private TResponse? _current;

    public TResponse Current => _current ?? throw new InvalidOperationException("Call MoveNextAsync and check that it returned true before reading Current.");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        _current = await call.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        return _current is not null;
    }
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(ClientCall<TRequest, TResponse> call, StreamingRequestContent<TRequest> content) : IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private int _writing;

    public ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default) =>
        WriteAsync(message, flush: true, cancellationToken);

    /// <remarks>The channel's pump flushes whenever its queue runs dry, so <paramref name="flush"/> needs no extra work here.</remarks>
    public async ValueTask WriteAsync(TRequest message, bool flush, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (content.MaxSendSize != int.MaxValue && message.CalculateSize() is var size && size > content.MaxSendSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {content.MaxSendSize}).");
        }

        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already pending on this request stream; await each WriteAsync before the next.");
        }

        try
        {
            if (!content.Writer.TryWrite(message))
            {
                await content.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RpcException)
        {
            throw;
        }
        catch (System.Threading.Channels.ChannelClosedException ex)
        {
            throw ClosedException(ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The body pump completed the queue with its own cancellation because the server ended the call:
            // report the call's status, as for a closed stream, not a cancellation the caller never asked for.
            throw ClosedException(ex);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public Task CompleteAsync()
    {
        content.Writer.TryComplete();
        return Task.CompletedTask;
    }

    private Exception ClosedException(Exception inner)
    {
        try
        {
            var status = call.GetStatus();
            return new RpcException(status, call.GetTrailers(), inner);
        }
        catch (InvalidOperationException)
        {
            return new InvalidOperationException("The request stream is already complete; no more messages can be written.", inner);
        }
    }
}
