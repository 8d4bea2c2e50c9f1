using System.Net;
using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Mesh.Rpc.Tests.Server;

/// <summary>Each malformed request gets its precise status, nothing crashes, no handler or task is left behind.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly string UnaryPath = InteropMethods.Unary.FullName;
    private static readonly string BidiPath = InteropMethods.Bidi.FullName;

    private readonly InteropService _service = new();
    private RpcTestServer _server = null!;
    private RawGrpcClient _raw = null!;

    public async Task InitializeAsync()
    {
        _server = await RpcTestServer.StartAsync(
            app =>
            {
                app.MapRpcService(_service.Build());
                app.MapRpcService(new RpcServiceBuilder("mesh.rpc.test.Broken")
                    .Unary(ThrowingMethod, (_, _) => throw new InvalidOperationException("secret internal detail: /etc/mesh/hub.key"))
                    .Build());
                app.MapPost("/api/plain", () => "plain");
            });
        _raw = new RawGrpcClient(_server.Address);
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _service.WaitIdleAsync(TestTimeout.Default);
        await _server.DisposeAsync();
        UnobservedExceptions.AssertNone();
    }

    private static readonly Method<EchoRequest, EchoResponse> ThrowingMethod =
        new(MethodType.Unary, "mesh.rpc.test.Broken", "Throw", EchoRequest.Parser, EchoResponse.Parser);

    [Fact]
    public async Task OversizedFrame_ResourceExhausted()
    {
        var body = RawGrpcClient.Frame(0, 5 * 1024 * 1024, new byte[16]);

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(body)).WithTimeout();

        Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
        Assert.Contains("larger than max (5242880 vs. 4194304)", response.GrpcMessage, StringComparison.Ordinal);
        Assert.Empty(_service.Events);
        _server.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task OversizedFrameHeader_RejectedBeforeTheBodyArrives()
    {
        // Only the 5-byte header is sent and the stream stays open: the answer cannot come from a buffered body.
        var content = new ControlledContent(RawGrpcClient.Frame(0, 100 * 1024 * 1024, []));
        try
        {
            var response = await _raw.SendAsync(BidiPath, content).WithTimeout();

            Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
        }
        finally
        {
            content.Release();
        }
    }

    [Fact]
    public async Task TruncatedFrameHeader_Internal()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent([0, 0, 0])).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
        Assert.True(response.TrailersOnly);
    }

    [Fact]
    public async Task FrameLengthLargerThanBody_Internal()
    {
        var body = RawGrpcClient.Frame(0, 100, new byte[10]);

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(body)).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FrameLengthLargerThanBody_OnStream_Internal()
    {
        var first = new EchoRequest { Payload = ByteString.CopyFromUtf8("ok") }.ToByteArray();
        var body = RawGrpcClient.Frame(0, (uint)first.Length, first).Concat(RawGrpcClient.Frame(0, 50, new byte[3])).ToArray();

        var response = await _raw.SendAsync(BidiPath, new ByteArrayContent(body)).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.TrailerStatus is null ? response.GrpcStatus : (StatusCode)int.Parse(response.TrailerStatus, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("Incomplete message", response.GrpcMessage, StringComparison.Ordinal);
        Assert.NotEmpty(response.Body);
    }

    [Fact]
    public async Task GarbageBytes_InvalidCompressedFlag_Internal()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray())).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("invalid compressed flag", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GarbagePayload_NotProtobuf_Internal()
    {
        // Field 1, length-delimited, with a length varint that never ends.
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 3, [0x0A, 0xFF, 0xFF]))).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("Failed to deserialize", response.GrpcMessage, StringComparison.Ordinal);
        Assert.Empty(_service.Events);
    }

    [Fact]
    public async Task CompressedFrame_Unimplemented()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(1, 2, [0x1F, 0x8B])), headers: [new("grpc-encoding", "gzip")]).WithTimeout();

        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
        Assert.Contains("compressed", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryWithTwoMessages_Internal()
    {
        var one = RawGrpcClient.Frame(0, 0, []);

        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent([.. one, .. one])).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("exactly one request message", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryWithEmptyBody_Internal()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent([])).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("without a message", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongContentType_Http415()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), contentType: "application/json").WithTimeout();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Empty(_service.Events);
    }

    [Fact]
    public async Task MissingContentType_Http415()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), contentType: null).WithTimeout();

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Fact]
    public async Task Http11Request_Http426UpgradeRequired()
    {
        // A TLS port that also offers HTTP/1.1 in ALPN.
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app => app.MapRpcService(service.Build()),
            Security.Tls,
            tls: () => new Mesh.Rpc.Tls.RpcServerTlsOptions { ServerCertificate = TestPki.Shared.ServerCertificate, Protocols = HttpProtocols.Http1AndHttp2 });
        using var raw = new RawGrpcClient(server.Address, TestPki.Shared.CaCollection);

        var response = await raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), version: HttpVersion.Version11).WithTimeout();

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.HttpStatus);
        Assert.Contains("HTTP/1.1", response.GrpcMessage, StringComparison.Ordinal);
        Assert.Empty(service.Events);
    }

    [Fact]
    public async Task MissingTe_InternalTrailersOnly()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), te: false).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("te: trailers", response.GrpcMessage, StringComparison.Ordinal);
        Assert.True(response.TrailersOnly);
        Assert.Empty(_service.Events);
    }

    [Fact]
    public async Task MalformedTimeout_Internal()
    {
        var response = await _raw.SendAsync(UnaryPath, new ByteArrayContent(RawGrpcClient.Frame(0, 0, [])), headers: [new("grpc-timeout", "soon")]).WithTimeout();

        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
        Assert.Contains("grpc-timeout", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/mesh.rpc.interop.InteropTest/NoSuchMethod")]
    [InlineData("/no.such.Service/Method")]
    public async Task UnknownMethod_Unimplemented(string path)
    {
        var response = await _raw.SendAsync(path, new ByteArrayContent(RawGrpcClient.Frame(0, 0, []))).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
        Assert.True(response.TrailersOnly);
    }

    [Theory]
    [InlineData("/mesh.rpc.interop.InteropTest/NoSuchMethod")]
    [InlineData("/no.such.Service/Method")]
    [InlineData("/a/b/c")]
    public async Task UnknownMethod_WithAddRpc_TerminalFallbackAnswersUnimplemented(string path)
    {
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app =>
            {
                app.MapRpcService(service.Build());
                app.MapGet("/api/ping", () => "pong");
            },
            services: s => s.AddRpc());
        using var raw = new RawGrpcClient(server.Address);
        using var channel = server.CreateChannel();

        var unknown = await raw.SendAsync(path, new ByteArrayContent(RawGrpcClient.Frame(0, 0, []))).WithTimeout();
        var notGrpc = await raw.SendAsync(path, new StringContent("x"), contentType: "text/plain").WithTimeout();
        var known = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("ok") }).WithTimeout();

        Assert.Equal(HttpStatusCode.OK, unknown.HttpStatus);
        Assert.Equal(StatusCode.Unimplemented, unknown.GrpcStatus);
        Assert.True(unknown.TrailersOnly);
        Assert.Equal(HttpStatusCode.NotFound, notGrpc.HttpStatus);
        Assert.Equal("ok", known.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task UnknownMethod_OurClient_RpcExceptionUnimplemented()
    {
        using var channel = _server.CreateChannel();
        var missing = new Method<EchoRequest, EchoResponse>(MethodType.Unary, InteropMethods.Service, "Missing", EchoRequest.Parser, EchoResponse.Parser);

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(missing, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task NonGrpcRequest_OtherEndpointsNotShadowed()
    {
        var response = await _raw.SendAsync("/api/plain", new StringContent("x"), contentType: "text/plain").WithTimeout();

        Assert.Equal(HttpStatusCode.OK, response.HttpStatus);
        Assert.Equal("plain", System.Text.Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task HandlerThrows_UnknownWithoutInternals()
    {
        using var channel = _server.CreateChannel();

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(ThrowingMethod, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("Exception was thrown by handler.", ex.Detail);
        Assert.DoesNotContain("secret", ex.Detail, StringComparison.Ordinal);
        Assert.Single(_server.Logs.Errors, e => e.EventName == "HandlerFailed" && e.Exception is InvalidOperationException);
        _server.Logs.AssertNoErrors("HandlerFailed");
    }

    [Fact]
    public async Task ClientDisconnectsMidStream_HandlerCancelledAndNothingLeaks()
    {
        var first = new EchoRequest { Payload = ByteString.CopyFromUtf8("one") }.ToByteArray();
        var content = new ControlledContent(RawGrpcClient.Frame(0, (uint)first.Length, first));
        var cts = new CancellationTokenSource();
        var send = _raw.SendAsync(BidiPath, content, cancellationToken: cts.Token);
        for (var waited = 0; _service.ActiveCalls == 0; waited += 10)
        {
            Assert.True(waited < 20_000, "the Bidi handler never started");
            Assert.False(send.IsCompleted, "the request ended before the handler started");
            await Task.Delay(10);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WithTimeout());
        content.Release();

        Assert.Equal("Bidi", await _service.Cancelled.Task.WithTimeout());
        await _service.WaitIdleAsync(TestTimeout.Default);
        _server.Logs.AssertNoErrors();
    }
}
