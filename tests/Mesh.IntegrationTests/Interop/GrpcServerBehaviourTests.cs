using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Mesh.Hub.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.IntegrationTests.Interop;

/// <summary>
/// What grpc-dotnet does with the hub's transport settings for the cases Mesh.Rpc used to handle itself: server-side
/// deadlines, cancellation, unknown methods, protocol violations, handler failures and host-name checks.
/// </summary>
public sealed class GrpcServerBehaviourTests : IAsyncLifetime
{
    private const string BidiPath = "/mesh.rpc.interop.InteropTest/Bidi";
    private const string UnaryPath = "/mesh.rpc.interop.InteropTest/Unary";
    private InteropServer _server = null!;
    private RawGrpcClient _raw = null!;

    public async Task InitializeAsync()
    {
        _server = await InteropServer.StartAsync(Security.Tls);
        _raw = new RawGrpcClient(_server.Address, TestPki.Shared.Ca.Certificate);
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _server.Service.WaitIdleAsync(TestTimeout.Default);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Duplex_ClientSilent_DeadlineExceededAndHandlerCancelled()
    {
        using var channel = _server.Channel();
        var client = _server.Client(channel);
        await client.UnaryAsync(new EchoRequest()).ResponseAsync.WithTimeout(); // connect first: TLS setup must not eat the deadline
        using var call = client.Bidi(deadline: DateTime.UtcNow.AddMilliseconds(500));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Equal("Bidi", await _server.Service.Cancelled.Task.WithTimeout());
        _server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task ServerStreaming_DeadlineMidStream_ClientSeesDeadlineExceededAfterMessages()
    {
        using var channel = _server.Channel();
        var client = _server.Client(channel);
        await client.UnaryAsync(new EchoRequest()).ResponseAsync.WithTimeout(); // connect first: TLS setup must not eat the deadline
        using var call = client.ServerStream(new EchoRequest { ResponseCount = 100, DelayMs = 500 }, deadline: DateTime.UtcNow.AddSeconds(3));
        var received = 0;

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout())
                received++;
        });

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.InRange(received, 1, 6);
        // The handler stops at the deadline, not after its 100 messages (50 s): its delay is cancelled, or — when the
        // deadline completed the response first — its next write is refused.
        await _server.Service.WaitIdleAsync(TestTimeout.Default);
        Assert.InRange(_server.Service.StreamedMessages, received, 7);
        Assert.Contains(_server.Service.Events, e => e == "cancelled ServerStream" || e.StartsWith("failed ServerStream", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deadline_AlreadyPassed_FailsWithoutSending()
    {
        using var channel = _server.Channel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => _server.Client(channel).UnaryAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(-1)).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Empty(_server.Service.Events);
    }

    [Theory]
    [InlineData("/mesh.rpc.interop.InteropTest/NoSuchMethod")]
    [InlineData("/no.such.Service/Method")]
    public async Task UnknownMethod_Unimplemented(string path)
    {
        var response = await _raw.SendAsync(path, new ByteArrayContent(RawGrpcClient.Frame(0, 0, []))).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
    }

    [Fact]
    public async Task MissingContentType_Http415()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), contentType: null).WithTimeout();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Empty(_server.Service.Events);
    }

    [Fact]
    public async Task UnaryWithTwoMessages_Internal()
    {
        var one = RawGrpcClient.Frame(0, 0, []);

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent([.. one, .. one])).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
    }

    [Fact]
    public async Task HandlerThrows_UnknownWithoutInternals()
    {
        using var channel = _server.Channel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => _server.Client(channel).UnaryAsync(new EchoRequest { FailCode = -1 }).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("Exception was thrown by handler.", ex.Status.Detail);
    }

    [Fact]
    public async Task ClientDisconnectsMidStream_HandlerCancelled_NoErrorLogged()
    {
        var first = new EchoRequest { Payload = ByteString.CopyFromUtf8("one") }.ToByteArray();
        var content = new ControlledContent(RawGrpcClient.Frame(0, (uint)first.Length, first));
        using var cts = new CancellationTokenSource();
        var send = _raw.SendAsync(BidiPath, content, cancellationToken: cts.Token);
        for (var waited = 0; _server.Service.ActiveCalls == 0; waited += 10)
        {
            Assert.True(waited < 20_000, "the Bidi handler never started");
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WithTimeout());
        content.Release();

        Assert.Equal("Bidi", await _server.Service.Cancelled.Task.WithTimeout());
        await _server.Service.WaitIdleAsync(TestTimeout.Default);
        _server.Logs.AssertNoErrors();
    }

    [Theory]
    [InlineData("truncated-header")]
    [InlineData("invalid-compressed-flag")]
    [InlineData("empty-unary-body")]
    public async Task ProtocolViolation_RefusedWithoutRunningTheHandler_ServerKeepsServing(string violation)
    {
        var (body, headers) = violation switch
        {
            "truncated-header" => ((byte[])[0, 0, 0], Array.Empty<KeyValuePair<string, string>>()),
            "invalid-compressed-flag" => ("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), []),
            _ => ([], []),
        };

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(body), headers: headers).WithTimeout();

        Assert.True(response.GrpcStatus is { } status && status != StatusCode.OK, $"{violation}: {response.HttpStatus} {response.GrpcStatus} {response.GrpcMessage}");
        Assert.Empty(_server.Service.Events);
        using var channel = _server.Channel();
        Assert.Equal("ok", (await _server.Client(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("ok") }).ResponseAsync.WithTimeout()).Payload.ToStringUtf8());
    }

    [Fact]
    public async Task MalformedTimeout_IgnoredByGrpcDotnet_CallRunsWithoutDeadline()
    {
        // Mesh.Rpc answered INTERNAL; grpc-dotnet treats an unparsable grpc-timeout as none.
        var body = new EchoRequest { Payload = ByteString.CopyFromUtf8("ok") }.ToByteArray();

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, (uint)body.Length, body)), headers: [new("grpc-timeout", "soon")]).WithTimeout();

        Assert.Equal(StatusCode.OK, response.GrpcStatus);
    }
}
