using Grpc.Core;
using Grpc.Core.Interceptors;
using Mesh.Hub.Storage;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// The outermost interceptor: an exception from a handler that is not an <see cref="RpcException"/> is a bug of
/// ours, logged here at Error with its stack trace and answered UNKNOWN without internals. grpc-dotnet's own
/// call-handler log is turned off (<c>Grpc.AspNetCore.Server.ServerCallHandler</c> in MeshLogging) because what it
/// logs on its own is a request it could not parse — client input, which any anonymous client could repeat to fill
/// the log with stack traces.
/// </summary>
/// A lost store is no bug: the call is answered UNAVAILABLE with what to do, logged once by <see cref="StoreAvailability"/>.
internal sealed class HandlerFailures(StoreAvailability store, ILogger<HandlerFailures> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (IsBug(ex, context))
        {
            throw Logged(ex, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (IsBug(ex, context))
        {
            throw Logged(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (IsBug(ex, context))
        {
            throw Logged(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (IsBug(ex, context))
        {
            throw Logged(ex, context);
        }
    }

    // A call the client ended (or whose deadline passed) and a message a stream could not parse are not our bugs.
    private static bool IsBug(Exception ex, ServerCallContext context) =>
        ex is not RpcException and not Google.Protobuf.InvalidProtocolBufferException
        && !(ex is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested);

    private RpcException Logged(Exception ex, ServerCallContext context)
    {
        if (store.Refusal(ex) is { } refusal)
            return new RpcException(new Status(StatusCode.Unavailable, refusal));
        InternalApiLog.HandlerFailed(logger, context.Method, ex);
        return new RpcException(new Status(StatusCode.Unknown, "the hub failed to handle this call; its log has the details"));
    }
}
