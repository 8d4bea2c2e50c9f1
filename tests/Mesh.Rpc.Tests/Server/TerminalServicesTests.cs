using System.Net;
using Google.Protobuf;
using Grpc.Health.V1;
using Mesh.Rpc.Health;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Rpc.Tests.Server;

/// <summary><c>RunRpcServices</c>: gRPC served at the end of a pipeline branch, without endpoint routing.</summary>
public sealed class TerminalServicesTests
{
    private static Task<RpcTestServer> StartAsync(InteropService service, RpcPreHandler? preHandler = null, Action<WebApplication>? before = null) =>
        RpcTestServer.StartAsync(
            app =>
            {
                before?.Invoke(app);
                app.UseRpcServices([service.Build(preHandler), app.Services.RpcHealthDefinition()]);
                app.MapGet("/web", () => "web page");
            },
            Security.Tls,
            services: s => s.AddRpc().AddRpcHealth());

    [Fact]
    public async Task KnownMethods_AllCallKinds_AndHealth_Work()
    {
        var service = new InteropService();
        await using var server = await StartAsync(service);
        using var channel = server.CreateChannel();

        var unary = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("one") }).WithTimeout();
        using var stream = channel.ServerStreaming(InteropMethods.ServerStream, new EchoRequest { ResponseCount = 3 });
        var received = 0;
        await foreach (var _ in stream.ResponseStream.ReadAllAsync())
            received++;
        var health = await channel.UnaryAsync(RpcHealthService.CheckMethod, new HealthCheckRequest()).WithTimeout();

        Assert.Equal("one", unary.Payload.ToStringUtf8());
        Assert.Equal(3, received);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Theory]
    [InlineData("/mesh.rpc.interop.InteropTest/NoSuchMethod")]
    [InlineData("/no.such.Service/Method")]
    [InlineData("/a/b/c")]
    public async Task UnknownMethod_Unimplemented_AndWebRequestsStillReachTheRestOfThePipeline(string path)
    {
        await using var server = await StartAsync(new InteropService());
        using var raw = new RawGrpcClient(server.Address, TestPki.Shared.CaCollection);

        var unknown = await raw.SendAsync(path, new ByteArrayContent(RawGrpcClient.Frame(0, 0, []))).WithTimeout();
        var web = await raw.SendAsync("/web", null, contentType: null).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, unknown.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, unknown.GrpcStatus);
        Assert.True(unknown.TrailersOnly);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, web.HttpStatus); // POST to a GET endpoint: the web pipeline answered
    }

    [Fact]
    public async Task PreHandler_RunsBeforeTheHandler_AndCanRefuse()
    {
        var service = new InteropService();
        await using var server = await StartAsync(service, context =>
            context.GetRequestHeader("authorization") == "Bearer ok"
                ? ValueTask.CompletedTask
                : throw new RpcException(StatusCode.Unauthenticated, "no"));
        using var channel = server.CreateChannel();

        var refused = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());
        var allowed = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("in") }, new CallOptions(new Metadata().Add("authorization", "Bearer ok"))).WithTimeout();

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal("in", allowed.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task SameMethodTwice_IsAStartupError()
    {
        var service = new InteropService();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RpcTestServer.StartAsync(
            app => app.MapWhen(_ => true, b => b.RunRpcServices([service.Build(), service.Build()])),
            services: s => s.AddRpc()));

        Assert.Contains("served twice", ex.Message, StringComparison.Ordinal);
    }
}
