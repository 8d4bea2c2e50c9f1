using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Server;

/// <summary>The server enforces grpc-timeout on its own, even when the client does not and the handler ignores it.</summary>
public sealed class DeadlineTests
{
    [Fact]
    public async Task Duplex_ClientSilent_ServerSendsDeadlineExceededAndCancelsHandler()
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(service.Build()));
        using var raw = new RawGrpcClient(server.Address);
        var content = new ControlledContent([]);
        try
        {
            var response = await raw.SendAsync(InteropMethods.Bidi.FullName, content, headers: [new("grpc-timeout", "300m")]).WithTimeout();

            Assert.Equal(StatusCode.DeadlineExceeded, response.GrpcStatus);
            Assert.Equal("Bidi", await service.Cancelled.Task.WithTimeout());
            await service.WaitIdleAsync(TestTimeout.Default);
            server.Logs.AssertNoErrors();
        }
        finally
        {
            content.Release();
        }
    }

    [Fact]
    public async Task Unary_HandlerIgnoresToken_StatusSentAtDeadlineAnyway()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var method = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "mesh.rpc.test.Stubborn", "Wait", EchoRequest.Parser, EchoResponse.Parser);
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Stubborn")
            .Unary(method, async (_, _) =>
            {
                await release.Task;
                return new EchoResponse();
            })
            .Build()));
        using var raw = new RawGrpcClient(server.Address);

        try
        {
            var response = await raw.SendAsync(method.FullName, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), headers: [new("grpc-timeout", "200m")]).WithTimeout();

            Assert.Equal(StatusCode.DeadlineExceeded, response.GrpcStatus);
            Assert.True(response.TrailersOnly);
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task ServerStreaming_DeadlineMidStream_ClientSeesDeadlineExceededAfterMessages()
    {
        var method = new Method<EchoRequest, EchoResponse>(MethodType.ServerStreaming, "mesh.rpc.test.Slow", "TwoThenWait", EchoRequest.Parser, EchoResponse.Parser);
        var ping = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "mesh.rpc.test.Slow", "Ping", EchoRequest.Parser, EchoResponse.Parser);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Slow")
            .Unary(ping, (request, _) => ValueTask.FromResult(new EchoResponse()))
            .ServerStreaming(method, async (_, responses, context) =>
            {
                await responses.WriteAsync(new EchoResponse { Index = 0 });
                await responses.WriteAsync(new EchoResponse { Index = 1 });
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                finally
                {
                    cancelled.TrySetResult();
                }
            })
            .Build()));
        using var channel = server.CreateChannel();

        // Connect first: on a loaded machine the TLS + HTTP/2 setup alone can eat a short deadline.
        await channel.UnaryAsync(ping, new EchoRequest()).WithTimeout();
        using var call = channel.ServerStreaming(method, new EchoRequest(), CallOptions.WithTimeout(TimeSpan.FromSeconds(5)));

        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await cancelled.Task.WithTimeout();
        server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Deadline_AlreadyPassed_FailsWithoutSending()
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(service.Build()));
        using var channel = server.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(InteropMethods.Unary, new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Empty(service.Events);
    }
}
