using Google.Protobuf;
using Mesh.Rpc.Framing;

namespace Mesh.Rpc.Server;

internal sealed class UnaryBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
    : MethodBinding(method.ServiceName, method.Name, method.FullName, MethodType.Unary)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    // Fully synchronous (no state machine, no allocation beyond the messages) when the request body is already
    // buffered and the handler completes synchronously; otherwise continues asynchronously.
    public override Task InvokeAsync(RpcCallContext call)
    {
        if (!FrameReader.TryReadSingleMessage(call.RequestBody, method.RequestParser, call.MaxReceiveMessageSize, out var request))
        {
            return InvokeSlowAsync(call);
        }

        var pending = handler(request!, call);
        if (!pending.IsCompletedSuccessfully)
        {
            return RespondAsync(call, pending);
        }

        var write = call.WriteMessageAsync(CheckResponse(pending.Result), flush: false, call.CancellationToken);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    private async Task InvokeSlowAsync(RpcCallContext call)
    {
        var request = await FrameReader.ReadSingleMessageAsync(call.RequestBody, method.RequestParser, call.MaxReceiveMessageSize, call.CancellationToken).ConfigureAwait(false);
        await RespondAsync(call, handler(request, call)).ConfigureAwait(false);
    }

    private async Task RespondAsync(RpcCallContext call, ValueTask<TResponse> pending)
    {
        var response = CheckResponse(await pending.ConfigureAwait(false));
        await call.WriteMessageAsync(response, flush: false, call.CancellationToken).ConfigureAwait(false);
    }

    private TResponse CheckResponse(TResponse? response) =>
        response ?? throw new InvalidOperationException($"The handler of {method.FullName} returned null.");
}

internal sealed class ServerStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
    : MethodBinding(method.ServiceName, method.Name, method.FullName, MethodType.ServerStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(RpcCallContext call)
    {
        var request = await FrameReader.ReadSingleMessageAsync(call.RequestBody, method.RequestParser, call.MaxReceiveMessageSize, call.CancellationToken).ConfigureAwait(false);
        await handler(request, new ResponseStreamWriter<TResponse>(call), call).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
    : MethodBinding(method.ServiceName, method.Name, method.FullName, MethodType.ClientStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(RpcCallContext call)
    {
        var reader = new RequestStreamReader<TRequest>(call, method.RequestParser, startResponseFirst: false);
        var response = await handler(reader, call).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The handler of {method.FullName} returned null.");
        await call.WriteMessageAsync(response, flush: false, call.CancellationToken).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingBinding<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
    : MethodBinding(method.ServiceName, method.Name, method.FullName, MethodType.DuplexStreaming)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task InvokeAsync(RpcCallContext call)
    {
        var reader = new RequestStreamReader<TRequest>(call, method.RequestParser, startResponseFirst: true);
        await handler(reader, new ResponseStreamWriter<TResponse>(call), call).ConfigureAwait(false);
    }
}
