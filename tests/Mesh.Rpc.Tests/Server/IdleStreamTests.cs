using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Server;

/// <summary>
/// A bidi stream that sits idle for two real minutes survives (Kestrel's min-data-rate and body limits are off on
/// gRPC routes). Its own class, so xunit runs it in parallel with the other collections.
/// </summary>
public sealed class IdleStreamTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(Security.Plaintext)]
    [InlineData(Security.MutualTls)]
    public async Task Duplex_IdleTwoMinutes_StillWorks(Security security)
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(service.Build()), security);
        using var channel = server.CreateChannel();
        using var call = channel.DuplexStreaming(InteropMethods.Bidi);
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("before") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());

        await Task.Delay(Idle);

        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("after") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal("after", call.ResponseStream.Current.Payload.ToStringUtf8());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.DoesNotContain(service.Events, e => e.StartsWith("cancelled", StringComparison.Ordinal));
        server.Logs.AssertNoErrors();
    }
}
