using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Mesh.Hub.InternalApi;

/// <summary>
/// The outermost interceptor: times every internal gRPC call and records it with its final status in
/// <see cref="InternalApiMetrics"/>. Calls refused before an interceptor runs (a unary request too large or that
/// does not parse, an unknown method) are not seen here.
/// </summary>
internal sealed class CallMetrics(InternalApiMetrics metrics, TimeProvider time) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        TimedAsync(context, "unary", () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        TimedAsync(context, "client_streaming", () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        TimedAsync(context, "server_streaming", async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        TimedAsync(context, "duplex_streaming", async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    private async Task<T> TimedAsync<T>(ServerCallContext context, string kind, Func<Task<T>> call)
    {
        var started = time.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            var result = await call();
            status = context.Status.StatusCode;
            return result;
        }
        catch (Exception ex)
        {
            status = StatusOf(ex, context);
            throw;
        }
        finally
        {
            metrics.CallEnded(context.Method, kind, status, time.GetElapsedTime(started));
        }
    }

    // What grpc-dotnet answers for an exception that leaves the handlers (HandlerFailures has turned bugs into UNKNOWN).
    private static StatusCode StatusOf(Exception ex, ServerCallContext context) => ex switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException or IOException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };
}
