using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Mesh.Rpc.Tests.Interop;

namespace Mesh.Rpc.Tests.Infrastructure;

/// <summary>Our implementation of InteropTest, with the same semantics as interop/interop_server.py, recording how calls end.</summary>
internal sealed class InteropService
{
    private int _active;

    public ConcurrentQueue<string> Events { get; } = new();

    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>Completes when a handler observed its call being cancelled (disconnect, reset or deadline).</summary>
    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RpcServiceDefinition Build(RpcPreHandler? preHandler = null)
    {
        var builder = new RpcServiceBuilder(InteropMethods.Service)
            .Unary(InteropMethods.Unary, UnaryAsync)
            .ServerStreaming(InteropMethods.ServerStream, ServerStreamAsync)
            .ClientStreaming(InteropMethods.ClientStream, ClientStreamAsync)
            .DuplexStreaming(InteropMethods.Bidi, BidiAsync);
        if (preHandler is not null)
        {
            builder.UsePreHandler(preHandler);
        }

        return builder.Build();
    }

    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (ActiveCalls != 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{ActiveCalls} handler(s) still running after {timeout}: {string.Join(", ", Events)}");
            }

            await Task.Delay(20);
        }
    }

    private ValueTask<EchoResponse> UnaryAsync(EchoRequest request, RpcCallContext context) =>
        Track("Unary", context, async () =>
        {
            await DelayAsync(request, context);
            EchoTrailers(request, context);
            FailIfAsked(request);
            return Reply(request, context);
        });

    private Task ServerStreamAsync(EchoRequest request, IRpcStreamWriter<EchoResponse> responses, RpcCallContext context) =>
        Track("ServerStream", context, async () =>
        {
            for (var i = 0; i < request.ResponseCount; i++)
            {
                await DelayAsync(request, context);
                await responses.WriteAsync(Reply(request, context, i));
            }

            EchoTrailers(request, context);
            FailIfAsked(request);
            return 0;
        }).AsTask();

    private Task<EchoResponse> ClientStreamAsync(IRpcStreamReader<EchoRequest> requests, RpcCallContext context) =>
        Track("ClientStream", context, async () =>
        {
            long total = 0;
            var count = 0;
            EchoRequest? last = null;
            await foreach (var request in requests.ReadAllAsync())
            {
                FailIfAsked(request);
                total += request.Payload.Length;
                count++;
                last = request;
            }

            var response = Reply(last ?? new EchoRequest(), context);
            response.TotalBytes = total;
            response.MessageCount = count;
            return response;
        }).AsTask();

    private Task BidiAsync(IRpcStreamReader<EchoRequest> requests, IRpcStreamWriter<EchoResponse> responses, RpcCallContext context) =>
        Track("Bidi", context, async () =>
        {
            var index = 0;
            while (await requests.MoveNextAsync())
            {
                var request = requests.Current;
                await DelayAsync(request, context);
                FailIfAsked(request);
                await responses.WriteAsync(Reply(request, context, index++));
            }

            return 0;
        }).AsTask();

    private async ValueTask<T> Track<T>(string method, RpcCallContext context, Func<Task<T>> body)
    {
        Interlocked.Increment(ref _active);
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || (ex is RpcException && context.CancellationToken.IsCancellationRequested))
        {
            Events.Enqueue("cancelled " + method);
            Cancelled.TrySetResult(method);
            throw;
        }
        finally
        {
            Events.Enqueue("finished " + method);
            Interlocked.Decrement(ref _active);
        }
    }

    private static Task DelayAsync(EchoRequest request, RpcCallContext context) =>
        request.DelayMs > 0 ? Task.Delay(request.DelayMs, context.CancellationToken) : Task.CompletedTask;

    private static void FailIfAsked(EchoRequest request)
    {
        if (request.FailCode != 0)
        {
            throw new RpcException((StatusCode)request.FailCode, request.FailMessage);
        }
    }

    private static void EchoTrailers(EchoRequest request, RpcCallContext context)
    {
        if (request.EchoMetadata.Length > 0 && context.RequestHeaders.Get(request.EchoMetadata) is { } entry)
        {
            if (entry.IsBinary)
            {
                context.ResponseTrailers.Add("x-echo-bin", entry.ValueBytes);
            }
            else
            {
                context.ResponseTrailers.Add("x-echo", entry.Value);
            }
        }
    }

    private static EchoResponse Reply(EchoRequest request, RpcCallContext context, int index = 0)
    {
        var response = new EchoResponse
        {
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Index = index,
            PeerIdentity = context.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? string.Empty,
        };
        if (request.EchoMetadata.Length > 0 && context.RequestHeaders.Get(request.EchoMetadata) is { } entry)
        {
            response.MetadataValue = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;
        }

        return response;
    }
}
