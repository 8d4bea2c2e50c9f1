using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Server;

/// <summary>
/// Bidi streams that sit idle for two real minutes survive (Kestrel's min-data-rate and body limits are off on
/// gRPC routes). One test in its own class, so xunit runs it in parallel with the other collections; the plaintext
/// and mTLS streams idle side by side.
/// </summary>
public sealed class IdleStreamTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Duplex_IdleTwoMinutes_StillWorks() =>
        await Task.WhenAll(IdleAsync(Security.Plaintext), IdleAsync(Security.MutualTls));

    private static async Task IdleAsync(Security security)
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(service.Build()), security);
        using var channel = server.CreateChannel();
        using var call = channel.DuplexStreaming(InteropMethods.Bidi);
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("before") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());

        await Task.Delay(Idle);

        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("after") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout(), security.ToString());
        Assert.Equal("after", call.ResponseStream.Current.Payload.ToStringUtf8());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.DoesNotContain(service.Events, e => e.StartsWith("cancelled", StringComparison.Ordinal));
        server.Logs.AssertNoErrors();
    }
}
