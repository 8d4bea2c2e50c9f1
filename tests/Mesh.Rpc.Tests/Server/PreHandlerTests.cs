using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Server;

/// <summary>The auth hook: server-wide and per-service pre-handlers that can refuse a call or fill the Items bag.</summary>
public sealed class PreHandlerTests
{
    private static readonly Method<EchoRequest, EchoResponse> WhoAmI =
        new(MethodType.Unary, "mesh.rpc.test.Auth", "WhoAmI", EchoRequest.Parser, EchoResponse.Parser);

    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("Bearer s3cret");

    [Fact]
    public async Task NoAuthorization_Unauthenticated_HandlerNotRun()
    {
        var ran = 0;
        await using var server = await StartAsync(() => ran++);
        using var channel = server.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(WhoAmI, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Equal("missing bearer token", ex.Detail);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task WrongToken_PermissionDenied()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(WhoAmI, new EchoRequest(), new CallOptions(new Metadata().Add("authorization", "Bearer wrong"))).WithTimeout());

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task ValidToken_ItemsAndCertificateReachHandler_GlobalRunsFirst()
    {
        await using var server = await StartAsync();
        using var channel = server.CreateChannel();

        var response = await channel.UnaryAsync(WhoAmI, new EchoRequest(), new CallOptions(new Metadata().Add("authorization", "Bearer s3cret"))).WithTimeout();

        Assert.Equal("global>service", response.MetadataValue);
        Assert.Equal("node-01", response.PeerIdentity);
    }

    [Fact]
    public async Task PreHandlerThrowsPlainException_UnknownWithoutInternals()
    {
        await using var server = await RpcTestServer.StartAsync(
            app => app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Auth")
                .Unary(WhoAmI, (_, _) => ValueTask.FromResult(new EchoResponse()))
                .UsePreHandler(_ => throw new InvalidOperationException("db password is hunter2"))
                .Build()));
        using var channel = server.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(WhoAmI, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.DoesNotContain("hunter2", ex.Detail, StringComparison.Ordinal);
        server.Logs.AssertNoErrors("HandlerFailed");
    }

    private static Task<RpcTestServer> StartAsync(Action? onHandler = null) =>
        RpcTestServer.StartAsync(
            app => app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Auth")
                .Unary(WhoAmI, (_, context) =>
                {
                    onHandler?.Invoke();
                    return ValueTask.FromResult(new EchoResponse
                    {
                        MetadataValue = (string)context.Items["order"]!,
                        PeerIdentity = context.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? string.Empty,
                    });
                })
                .UsePreHandler(context =>
                {
                    context.Items["order"] += ">service";
                    return ValueTask.CompletedTask;
                })
                .Build()),
            Security.MutualTls,
            services: s => s.AddRpc(o => o.PreHandler = CheckTokenAsync));

    private static ValueTask CheckTokenAsync(RpcCallContext context)
    {
        var header = context.GetRequestHeader("authorization");
        if (header is null)
        {
            throw new RpcException(StatusCode.Unauthenticated, "missing bearer token");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(header), Secret))
        {
            throw new RpcException(StatusCode.PermissionDenied, "token refused");
        }

        if (context.ClientCertificate is null)
        {
            throw new RpcException(StatusCode.Unauthenticated, "no client certificate");
        }

        context.Items["order"] = "global";
        return ValueTask.CompletedTask;
    }
}
