using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Rpc.Tests.Client;

public sealed class ChannelOptionsTests
{
    [Fact]
    public void KeepAliveBelowOneSecond_Refused() =>
        Assert.Throws<ArgumentException>(() => new RpcChannel(new Uri("https://hub:50051"), new RpcChannelOptions { KeepAlivePingDelay = TimeSpan.FromMilliseconds(100) }));

    [Fact]
    public void ServerKeepAliveBelowOneSecond_Refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new KestrelServerOptions().UseRpcKeepAlive(TimeSpan.FromMilliseconds(10)));

    [Fact]
    public void ClientCertificateWithoutKey_Refused()
    {
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(TestPki.Shared.ClientCertificate.RawData);
        var ex = Assert.Throws<ArgumentException>(() => new RpcChannel(new Uri("https://hub:50051"), new RpcChannelOptions { ClientCertificate = publicOnly }));
        Assert.Contains("private key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://hub:50051")]
    [InlineData("hub:50051")]
    public void Address_BadScheme_Refused(string address) =>
        Assert.Throws<ArgumentException>(() => RpcChannel.ForAddress(address));

    [Fact]
    public async Task KeepAliveOnBothSides_CallsStillWork()
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app => app.MapRpcService(service.Build()), Security.Tls, kestrel: k => k.UseRpcKeepAlive(TimeSpan.FromSeconds(30)));
        using var channel = server.CreateChannel(new RpcChannelOptions { KeepAlivePingDelay = TimeSpan.FromSeconds(30) });

        var response = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout();

        Assert.NotNull(response);
    }

    [Fact]
    public void MethodRegisteredAsWrongKind_Refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RpcServiceBuilder(InteropMethods.Service)
            .Unary(new Method<EchoRequest, EchoResponse>(MethodType.ServerStreaming, InteropMethods.Service, "X", EchoRequest.Parser, EchoResponse.Parser), (_, _) => ValueTask.FromResult(new EchoResponse())));
        Assert.Contains("ServerStreaming", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MethodOfAnotherService_Refused() =>
        Assert.Throws<ArgumentException>(() => new RpcServiceBuilder("other.Service")
            .Unary(InteropMethods.Unary, (_, _) => ValueTask.FromResult(new EchoResponse())));

    [Fact]
    public void DuplicateMethod_Refused() =>
        Assert.Throws<ArgumentException>(() => new RpcServiceBuilder(InteropMethods.Service)
            .Unary(InteropMethods.Unary, (_, _) => ValueTask.FromResult(new EchoResponse()))
            .Unary(InteropMethods.Unary, (_, _) => ValueTask.FromResult(new EchoResponse())));
}
