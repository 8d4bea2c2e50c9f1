using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Client;

/// <summary>Our client against our server over plaintext h2c: the four call kinds, metadata, errors, deadlines, cancellation.</summary>
public sealed class EndToEndTests : IAsyncLifetime
{
    private readonly InteropService _service = new();
    private RpcTestServer _server = null!;
    private RpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await RpcTestServer.StartAsync(app => app.MapRpcService(_service.Build()));
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        UnobservedExceptions.AssertNone();
    }

    [Fact]
    public async Task ClientStreaming_DisposedWithoutAwaiting_HandlerCancelledNoUnobservedException()
    {
        var call = _channel.ClientStreaming(InteropMethods.ClientStream);
        await call.RequestStream.WriteAsync(new EchoRequest());
        for (var waited = 0; _service.ActiveCalls == 0; waited += 10)
        {
            Assert.True(waited < 20_000, "the handler never started");
            await Task.Delay(10);
        }

        call.Dispose();

        Assert.Equal("ClientStream", await _service.Cancelled.Task.WithTimeout());
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task Unary_ServerUnreachable_Unavailable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = new RpcChannel(new Uri($"http://127.0.0.1:{port}"));

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.StartsWith("Cannot connect", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_ResponseAboveClientLimit_ResourceExhausted()
    {
        using var small = _server.CreateChannel(new RpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var ex = await Assert.ThrowsAsync<RpcException>(() => small.UnaryAsync(InteropMethods.Unary, new EchoRequest { ResponseSize = 4096 }).WithTimeout());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_WriteWhileAnotherIsPending_Throws()
    {
        // A server that never reads: once HTTP/2 flow control and the queue (capacity 1) are full, a write stays
        // pending for good, and a second write while it is pending is a caller bug.
        var hold = new Method<EchoRequest, EchoResponse>(MethodType.ClientStreaming, "mesh.rpc.test.Sink", "Hold", EchoRequest.Parser, EchoResponse.Parser);
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Sink")
            .ClientStreaming(hold, async (_, context) =>
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                return new EchoResponse();
            })
            .Build()));
        using var channel = server.CreateChannel(new RpcChannelOptions { RequestStreamBufferCapacity = 1 });
        using var call = channel.ClientStreaming(hold);
        var big = new EchoRequest { Payload = ByteString.CopyFrom(new byte[256 * 1024]) };
        ValueTask pending = default;
        for (var i = 0; i < 64 && pending.IsCompleted; i++)
        {
            pending = call.RequestStream.WriteAsync(big);
            if (pending.IsCompleted)
            {
                await pending;
            }
        }

        Assert.False(pending.IsCompleted, "no write ever had to wait");
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(big).AsTask());
        call.Dispose();

        // The write that was waiting must not hang once the call is gone. Whether it fails or was absorbed by the
        // HTTP/2 window just before the reset depends on timing, so either outcome is fine; a hang is not.
        var outcome = await Record.ExceptionAsync(() => pending.AsTask().WithTimeout());
        Assert.False(outcome is TimeoutException, "the pending write hung after the call was disposed");
    }

    [Fact]
    public async Task Unary_Echo_ReturnsPayload()
    {
        var response = await _channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("hello") }).WithTimeout();

        Assert.Equal("hello", response.Payload.ToStringUtf8());
        _server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Unary_Metadata_TravelsBothWays()
    {
        var headers = new Metadata().Add("authorization", "Bearer abc.def").Add("x-data-bin", [0, 1, 0xFE, 0xFF]);
        using var call = _channel.StartUnary(InteropMethods.Unary, new EchoRequest { EchoMetadata = "x-data-bin" }, new CallOptions(headers));

        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 0xFE, 0xFF }), response.MetadataValue);
        Assert.Equal(new byte[] { 0, 1, 0xFE, 0xFF }, call.GetTrailers().GetValueBytes("x-echo-bin"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_FiveResponses_InOrder()
    {
        using var call = _channel.ServerStreaming(InteropMethods.ServerStream, new EchoRequest { Payload = ByteString.CopyFromUtf8("s"), ResponseCount = 5 });
        var indexes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(response.Index);
        }

        Assert.Equal([0, 1, 2, 3, 4], indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_TenMessages_Summed()
    {
        using var call = _channel.ClientStreaming(InteropMethods.ClientStream);
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i + 1]) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(55, response.TotalBytes);
        Assert.Equal(10, response.MessageCount);
    }

    [Fact]
    public async Task Duplex_PingPong_EchoesEach()
    {
        using var call = _channel.DuplexStreaming(InteropMethods.Bidi);
        await call.ResponseHeadersAsync.WithTimeout();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("m" + i) });
            Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
            Assert.Equal("m" + i, call.ResponseStream.Current.Payload.ToStringUtf8());
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Unary_HandlerRpcException_PassesThroughWithNonAsciiDetail()
    {
        const string detail = "échec: ünïcödé ✓ 100% done\r\n";
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = detail }).WithTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(detail, ex.Detail);
    }

    [Fact]
    public async Task ServerStreaming_ErrorAfterMessages_StatusInTrailers()
    {
        using var call = _channel.ServerStreaming(InteropMethods.ServerStream, new EchoRequest { ResponseCount = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "late" });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WithTimeout());

        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal("late", ex.Detail);
    }

    [Fact]
    public async Task Unary_DeadlineExpires_DeadlineExceededOnBothSides()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { DelayMs = 10_000 }, CallOptions.WithTimeout(TimeSpan.FromMilliseconds(300))).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal("Unary", await _service.Cancelled.Task.WithTimeout());
        await _service.WaitIdleAsync(TestTimeout.Default);
        _server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Duplex_CallerCancels_ServerObservesAndClientSeesCancelled()
    {
        using var cts = new CancellationTokenSource();
        using var call = _channel.DuplexStreaming(InteropMethods.Bidi, new CallOptions(CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("first") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WithTimeout());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.Equal("Bidi", await _service.Cancelled.Task.WithTimeout());
        await _service.WaitIdleAsync(TestTimeout.Default);
        _server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task WritesAfterTheServerEndedADuplexCall_FailWithTheCallsOutcome_NeverAsACancellation()
    {
        using var call = _channel.DuplexStreaming(InteropMethods.Bidi);
        await call.RequestStream.WriteAsync(new EchoRequest { FailCode = (int)StatusCode.ResourceExhausted, FailMessage = "enough" }).AsTask().WithTimeout();

        Exception? failure = null;
        for (var i = 0; i < 10_000 && failure is null; i++)
        {
            try
            {
                await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[1024]) }).AsTask().WithTimeout();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }

        Assert.NotNull(failure);
        Assert.True(failure is RpcException { StatusCode: StatusCode.ResourceExhausted } or InvalidOperationException, $"unexpected {failure}");
        var end = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync().AsTask().WithTimeout());
        Assert.Equal(StatusCode.ResourceExhausted, end.StatusCode);
    }
}
