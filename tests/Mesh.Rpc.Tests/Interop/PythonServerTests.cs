using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Mesh.Rpc.Tests.Infrastructure;

namespace Mesh.Rpc.Tests.Interop;

/// <summary>Our client → grpcio server (Debian python3-grpcio), over TLS and mutual TLS.</summary>
public sealed class PythonServerTests(PythonServerFixture servers) : IClassFixture<PythonServerFixture>
{
    private const string NonAsciiMessage = "échec: ünïcödé ✓ 100% (データ)";

    public static TheoryData<string> Modes => ["tls", "mtls"];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_EchoWithMetadata_Succeeds(string mode)
    {
        using var channel = Channel(mode);
        var headers = new Metadata().Add("authorization", "Bearer token-1").Add("x-data-bin", [0, 1, 0xFE, 0xFF]);
        using var call = channel.StartUnary(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("hello"), EchoMetadata = "x-data-bin" }, new CallOptions(headers));

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
        using var call = channel.StartUnary(InteropMethods.Unary, new EchoRequest { EchoMetadata = "authorization" }, new CallOptions(new Metadata().Add("authorization", "Bearer token-1")));

        var response = await call.ResponseAsync.WithTimeout();

        Assert.Equal("Bearer token-1", response.MetadataValue);
        Assert.Equal("Bearer token-1", call.GetTrailers().GetValue("x-echo"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ServerStreaming_FiveResponses(string mode)
    {
        using var channel = Channel(mode);
        using var call = channel.ServerStreaming(InteropMethods.ServerStream, new EchoRequest { Payload = ByteString.CopyFromUtf8("s"), ResponseCount = 5 });
        var indexes = new List<int>();
        await foreach (var response in call.ResponseStream.ReadAllAsync().WithCancellation(new CancellationTokenSource(TestTimeout.Default).Token))
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
        using var call = channel.ClientStreaming(InteropMethods.ClientStream);
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
        using var call = channel.DuplexStreaming(InteropMethods.Bidi);
        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("m" + i) });
            Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());
            Assert.Equal("m" + i, call.ResponseStream.Current.Payload.ToStringUtf8());
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync().WithTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ThreeMebibytesEachWay(string mode)
    {
        using var channel = Channel(mode);
        var payload = ByteString.CopyFrom(Enumerable.Repeat((byte)7, 3 * 1024 * 1024).ToArray());

        var response = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = payload, ResponseSize = 3 * 1024 * 1024 }).WithTimeout();

        Assert.Equal(3 * 1024 * 1024, response.Payload.Length);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_ErrorWithNonAsciiMessage_ArrivesIntact(string mode)
    {
        using var channel = Channel(mode);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { FailCode = (int)StatusCode.FailedPrecondition, FailMessage = NonAsciiMessage }).WithTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(NonAsciiMessage, ex.Detail);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Unary_DeadlineExpires_DeadlineExceededAndServerGivesUp(string mode)
    {
        using var channel = Channel(mode);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { DelayMs = 10_000 }, CallOptions.WithTimeout(TimeSpan.FromMilliseconds(500))).WithTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await servers.Process(mode).WaitForLineAsync("EVENT cancelled Unary", TestTimeout.Default);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Bidi_CallerCancels_PythonServerObservesCancellation(string mode)
    {
        using var channel = Channel(mode);
        using var cts = new CancellationTokenSource();
        using var call = channel.DuplexStreaming(InteropMethods.Bidi, new CallOptions(CancellationToken: cts.Token));
        await call.RequestStream.WriteAsync(new EchoRequest { Payload = ByteString.CopyFromUtf8("first") });
        Assert.True(await call.ResponseStream.MoveNextAsync().WithTimeout());

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNextAsync().AsTask().WithTimeout());
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await servers.Process(mode).WaitForLineAsync("EVENT cancelled Bidi", TestTimeout.Default);
    }

    [Fact]
    public async Task MutualTls_NoClientCertificate_RejectedAsUnavailable()
    {
        using var channel = new RpcChannel(new Uri($"https://127.0.0.1:{servers.MutualTlsPort}"), new RpcChannelOptions { RootCertificates = TestPki.Shared.CaCollection });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("client certificate", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateFromAnotherCa_RejectedAsUnavailable()
    {
        using var channel = new RpcChannel(new Uri($"https://127.0.0.1:{servers.MutualTlsPort}"), new RpcChannelOptions
        {
            RootCertificates = TestPki.Shared.CaCollection,
            ClientCertificate = TestPki.Shared.OtherClientCertificate,
        });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("client certificate", ex.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_ServerFromUntrustedCa_RejectedAsUnavailable()
    {
        using var channel = new RpcChannel(new Uri($"https://127.0.0.1:{servers.TlsPort}"), new RpcChannelOptions
        {
            RootCertificates = [X509CertificateLoader.LoadCertificate(TestPki.Shared.OtherCa.Certificate.RawData)],
        });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Contains("TLS", ex.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("hub.example", false)]
    public async Task Tls_PkiServerValidatorPluggedIn_ChecksHostName(string expectedHost, bool accepted)
    {
        using var validator = new Mesh.Pki.CertificateValidator(TestPki.Shared.Ca.Certificate);
        using var channel = new RpcChannel(new Uri($"https://127.0.0.1:{servers.TlsPort}"), new RpcChannelOptions
        {
            ServerCertificateValidation = validator.ServerCertificateCallback(expectedHost),
        });

        var call = channel.UnaryAsync(InteropMethods.Unary, new EchoRequest { Payload = ByteString.CopyFromUtf8("pki") });

        if (accepted)
        {
            Assert.Equal("pki", (await call.WithTimeout()).Payload.ToStringUtf8());
        }
        else
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.WithTimeout());
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        }
    }

    private RpcChannel Channel(string mode) =>
        new(new Uri($"https://127.0.0.1:{servers.Port(mode)}"), new RpcChannelOptions
        {
            RootCertificates = TestPki.Shared.CaCollection,
            ClientCertificate = mode == "mtls" ? TestPki.Shared.ClientCertificate : null,
        });
}
