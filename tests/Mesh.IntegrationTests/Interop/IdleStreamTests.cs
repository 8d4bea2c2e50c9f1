using Google.Protobuf;
using Grpc.Core;

namespace Mesh.IntegrationTests.Interop;

/// <summary>
/// Bidi streams that sit idle for two real minutes survive on grpc-dotnet (it lifts Kestrel's minimum request body
/// data rate for streaming calls). One test in its own class, so xunit runs it beside the other collections; the TLS
/// and mTLS streams idle side by side.
/// </summary>
public sealed class IdleStreamTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Duplex_IdleTwoMinutes_StillWorks() =>
        await Task.WhenAll(IdleAsync(Security.Tls), IdleAsync(Security.MutualTls));

    private static async Task IdleAsync(Security security)
    {
        await using var server = await InteropServer.StartAsync(security);
        using var channel = server.Channel();
        using var call = server.Client(channel).Bidi();
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("before") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        await Task.Delay(Idle);

        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("after") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout(), security.ToString());
        Assert.Equal("after", call.ResponseStream.Current.Payload.ToStringUtf8());
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.DoesNotContain(server.Service.Events, e => e.StartsWith("cancelled", StringComparison.Ordinal));
        server.Logs.AssertNoErrors();
    }
}
