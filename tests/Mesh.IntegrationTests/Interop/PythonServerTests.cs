using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests;

namespace Mesh.IntegrationTests.Interop;

/// <summary>Grpc.Net.Client, as Mesh opens it (<see cref="GrpcChannels"/>) → grpcio server (Debian python3-grpcio), over TLS and mutual TLS.</summary>
public sealed class PythonServerTests(PythonServerFixture servers) : IClassFixture<PythonServerFixture>
{
    private const string NonAsciiMessage = "échec: ünïcödé ✓ 100% (データ)";

    public static TheoryData<string> Modes => ["tls", "mtls"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_EchoWithMetadata_Succeeds(string mode)
    {
        using var channel = Channel(mode);
        var headers = new Metadata { { "authorization", "Bearer token-1" }, { "x-data-bin", new byte[] { 0, 1, 0xFE, 0xFF } } };
        using var call = Client(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("hello"), EchoMetadata = "x-data-bin" }, new CallOptions(headers));

        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal("hello", response.Payload.ToStringUtf8());
        Assert.Equal(Convert.ToBase64String(new byte[] { 0, 1, 0xFE, 0xFF }), response.MetadataValue);
        Assert.Equal(new byte[] { 0, 1, 0xFE, 0xFF }, call.GetTrailers().GetValueBytes("x-echo-bin"));
        Assert.Equal(mode == "mtls" ? "node-01" : string.Empty, response.PeerIdentity);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_StringMetadata_Echoed(string mode)
    {
        using var channel = Channel(mode);
        using var call = Client(channel).UnaryAsync(new EchoRequest { EchoMetadata = "authorization" }, new CallOptions(new Metadata { { "authorization", "Bearer token-1" } }));

        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal("Bearer token-1", response.MetadataValue);
        Assert.Equal("Bearer token-1", call.GetTrailers().GetValue("x-echo"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ServerStreaming_FiveResponses(string mode)
    {
        using var channel = Channel(mode);
        using var call = Client(channel).ServerStream(new EchoRequest { Payload = ByteString.CopyFromUtf8("s"), ResponseCount = 5 });
        var indexes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync(new CancellationTokenSource(TestTimeout.Default).Token))
        {
            indexes.Add(response.Index);
        }

        Assert.Equal([0, 1, 2, 3, 4], indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ClientStreaming_TenMessages(string mode)
    {
        using var channel = Channel(mode);
        using var call = Client(channel).ClientStream();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[i + 1]) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal(55, response.TotalBytes);
        Assert.Equal(10, response.MessageCount);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Bidi_PingPong(string mode)
    {
        using var channel = Channel(mode);
        using var call = Client(channel).Bidi();
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("m" + i) });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
            Assert.Equal("m" + i, call.ResponseStream.Current.Payload.ToStringUtf8());
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ThreeMebibytesEachWay(string mode)
    {
        using var channel = Channel(mode);
        var payload = ByteString.CopyFrom(Enumerable.Repeat((byte)7, 3 * 1024 * 1024).ToArray());

        var response = await Client(channel).UnaryAsync(new EchoRequest { Payload = payload, ResponseSize = 3 * 1024 * 1024 }).ResponseAsync.WithTimeout();

        Assert.Equal(3 * 1024 * 1024, response.Payload.Length);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ErrorWithNonAsciiMessage_ArrivesIntact(string mode)
    {
        using var channel = Channel(mode);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client(channel).UnaryAsync(new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = NonAsciiMessage }).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(NonAsciiMessage, ex.Status.Detail);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_DeadlineExpires_DeadlineExceededAndServerGivesUp(string mode)
    {
        using var channel = Channel(mode);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client(channel).UnaryAsync(new EchoRequest { DelayMs = 10_000 }, deadline: DateTime.UtcNow.AddMilliseconds(500)).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await servers.Process(mode).WaitForLineAsync("EVENT cancelled Unary", TestTimeout.Default);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Bidi_CallerCancels_PythonServerObservesCancellation(string mode)
    {
        using var channel = Channel(mode);
        using var cts = new CancellationTokenSource();
        using var call = Client(channel).Bidi(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("first") });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await servers.Process(mode).WaitForLineAsync("EVENT cancelled Bidi", TestTimeout.Default);
    }

    [Fact]
    public async Task MutualTls_NoClientCertificate_RejectedAsUnavailable()
    {
        using var channel = Channel(servers.MutualTlsPort, TestPki.Shared.Ca.Certificate, clientCertificate: null);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client(channel).UnaryAsync(new EchoRequest()).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateFromAnotherCa_RejectedAsUnavailable()
    {
        using var channel = Channel(servers.MutualTlsPort, TestPki.Shared.Ca.Certificate, TestPki.Shared.OtherClientCertificate);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client(channel).UnaryAsync(new EchoRequest()).ResponseAsync.WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Tls_ServerFromUntrustedCa_RejectedAsInternal()
    {
        using var channel = Channel(servers.TlsPort, TestPki.Shared.OtherCa.Certificate, clientCertificate: null);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client(channel).UnaryAsync(new EchoRequest()).ResponseAsync.WithTimeout());

        // Grpc.Net.Client reports a failed TLS handshake as INTERNAL (Mesh.Rpc said UNAVAILABLE); the transport error
        // stays reachable for callers that explain it (the node's and the CLI's hub checks).
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("SSL connection could not be established", ex.Status.Detail, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(ex.Status.DebugException);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("hub.example", false)]
    public async Task Tls_PkiServerValidatorPluggedIn_ChecksHostName(string expectedHost, bool accepted)
    {
        using var validator = new Mesh.Pki.CertificateValidator(TestPki.Shared.Ca.Certificate);
        var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = validator.ServerCertificateCallback(expectedHost);
        using var channel = GrpcChannels.Create(new Uri($"https://127.0.0.1:{servers.TlsPort}"), handler);

        var call = Client(channel).UnaryAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("pki") }).ResponseAsync;

        if (accepted)
        {
            Assert.Equal("pki", (await call.WithTimeout()).Payload.ToStringUtf8());
        }
        else
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.WithTimeout());
            Assert.Equal(StatusCode.Internal, ex.StatusCode);
            Assert.Contains("SSL connection could not be established", ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    private static InteropTest.InteropTestClient Client(GrpcChannel channel) => new(channel);

    private GrpcChannel Channel(string mode) =>
        Channel(servers.Port(mode), TestPki.Shared.Ca.Certificate, mode == "mtls" ? TestPki.Shared.ClientCertificate : null);

    private static GrpcChannel Channel(int port, X509Certificate2 ca, X509Certificate2? clientCertificate) =>
        GrpcTestClients.Channel(new Uri($"https://127.0.0.1:{port}"), ca, clientCertificate, maxReceiveMessageSize: 8 * 1024 * 1024);
}
