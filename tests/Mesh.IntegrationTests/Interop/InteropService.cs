using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;

namespace Mesh.IntegrationTests.Interop;

/// <summary>Our InteropTest on grpc-dotnet, with the same semantics as python/interop_server.py, recording how calls end.</summary>
internal sealed class InteropService : InteropTest.InteropTestBase
{
    private int _active;
    private int _streamed;

    public ConcurrentQueue<string> Events { get; } = new();

    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>Messages the server-streaming handler has written so far.</summary>
    public int StreamedMessages => Volatile.Read(ref _streamed);

    /// <summary>Completes when a handler observed its call being cancelled (disconnect, reset or deadline).</summary>
    public TaskCompletionSource<string> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (ActiveCalls != 0)
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"{ActiveCalls} handler(s) still running after {timeout}: {string.Join(", ", Events)}");
            await Task.Delay(20);
        }
    }

    public override Task<EchoResponse> Unary(EchoRequest request, ServerCallContext context) =>
        Track("Unary", context, async () =>
        {
            await DelayAsync(request, context);
            EchoTrailers(request, context);
            FailIfAsked(request);
            return Reply(request, context);
        });

    public override Task ServerStream(EchoRequest request, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context) =>
        Track("ServerStream", context, async () =>
        {
            for (var i = 0; i < request.ResponseCount; i++)
            {
                await DelayAsync(request, context);
                await responseStream.WriteAsync(Reply(request, context, i));
                Interlocked.Increment(ref _streamed);
            }

            EchoTrailers(request, context);
            FailIfAsked(request);
            return 0;
        });

    public override Task<EchoResponse> ClientStream(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context) =>
        Track("ClientStream", context, async () =>
        {
            long total = 0;
            var count = 0;
            EchoRequest? last = null;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
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
        });

    public override Task Bidi(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoResponse> responseStream, ServerCallContext context) =>
        Track("Bidi", context, async () =>
        {
            var index = 0;
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                var request = requestStream.Current;
                await DelayAsync(request, context);
                FailIfAsked(request);
                await responseStream.WriteAsync(Reply(request, context, index++));
            }

            return 0;
        });

    private async Task<T> Track<T>(string method, ServerCallContext context, Func<Task<T>> body)
    {
        Interlocked.Increment(ref _active);
        try
        {
            return await body();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException || context.CancellationToken.IsCancellationRequested)
        {
            Events.Enqueue("cancelled " + method);
            Cancelled.TrySetResult(method);
            throw;
        }
        catch (Exception ex)
        {
            // A deadline can complete the response writer a moment before it cancels the token; the handler's next
            // write is then refused instead of cancelled. Either way the handler stops.
            Events.Enqueue($"failed {method}: {ex.GetType().Name}");
            throw;
        }
        finally
        {
            Events.Enqueue("finished " + method);
            Interlocked.Decrement(ref _active);
        }
    }

    private static Task DelayAsync(EchoRequest request, ServerCallContext context) =>
        request.DelayMs > 0 ? Task.Delay(request.DelayMs, context.CancellationToken) : Task.CompletedTask;

    private static void FailIfAsked(EchoRequest request)
    {
        if (request.FailCode < 0)
            throw new InvalidOperationException("secret internal detail: /etc/mesh/hub.key");
        if (request.FailCode != 0)
            throw new RpcException(new Status((StatusCode)request.FailCode, request.FailMessage));
    }

    private static void EchoTrailers(EchoRequest request, ServerCallContext context)
    {
        if (request.EchoMetadata.Length > 0 && context.RequestHeaders.Get(request.EchoMetadata) is { } entry)
        {
            if (entry.IsBinary)
                context.ResponseTrailers.Add("x-echo-bin", entry.ValueBytes);
            else
                context.ResponseTrailers.Add("x-echo", entry.Value);
        }
    }

    private static EchoResponse Reply(EchoRequest request, ServerCallContext context, int index = 0)
    {
        var response = new EchoResponse
        {
            Payload = request.ResponseSize > 0 ? ByteString.CopyFrom(new byte[request.ResponseSize]) : request.Payload,
            Index = index,
            PeerIdentity = context.GetHttpContext().Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false) ?? string.Empty,
        };
        if (request.EchoMetadata.Length > 0 && context.RequestHeaders.Get(request.EchoMetadata) is { } entry)
            response.MetadataValue = entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;
        return response;
    }
}
