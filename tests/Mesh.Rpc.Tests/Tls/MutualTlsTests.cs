using Mesh.Pki;
using Mesh.Rpc.Tests.Infrastructure;
using Mesh.Rpc.Tests.Interop;
using Mesh.Rpc.Tls;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Rpc.Tests.Tls;

/// <summary>mTLS with our own validation: custom root, clientAuth, expiry at the injected clock, the revocation hook, Pki plugged in.</summary>
public sealed class MutualTlsTests
{
    [Fact]
    public async Task PkiValidatorPluggedIn_RevokedCertificate_RejectedWithReasonLogged()
    {
        var pki = TestPki.Shared;
        using var revoked = pki.Ca.IssueClientCertificate("node-revoked");
        var denyList = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { revoked.SerialNumber };
        using var validator = new CertificateValidator(pki.Ca.Certificate, isRevoked: c => denyList.Contains(c.SerialNumber));
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app => app.MapRpcService(service.Build()),
            Security.MutualTls,
            tls: () => new RpcServerTlsOptions
            {
                ServerCertificate = pki.ServerCertificate,
                RequireClientCertificate = true,
                ClientCertificateValidator = (certificate, chain) =>
                {
                    var result = validator.ValidateClient(certificate, chain);
                    return result.IsValid ? ClientCertificateCheck.Valid : ClientCertificateCheck.Invalid(result.Reason!);
                },
            });

        using var good = server.CreateChannel();
        var ok = await good.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout();
        using var bad = server.CreateChannel(new RpcChannelOptions { ClientCertificate = revoked });
        var ex = await Assert.ThrowsAsync<RpcException>(() => bad.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal("node-01", ok.PeerIdentity);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        var rejection = Assert.Single(server.Logs.Entries, e => e.EventName == "ClientCertificateRejected");
        Assert.Contains("revoked", rejection.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BuiltInValidator_ExpiredAtInjectedTime_RejectedAsExpired()
    {
        var pki = TestPki.Shared;
        var validator = new RpcClientCertificateValidator(pki.CaCollection, time: new FixedTime(DateTimeOffset.UtcNow.AddDays(3)));

        var check = validator.Validate(pki.ClientCertificate, null);

        Assert.False(check.IsValid);
        Assert.Contains("expired", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInValidator_ServerOnlyEkuIsNotEnoughForClients()
    {
        var pki = TestPki.Shared;
        var validator = new RpcClientCertificateValidator(pki.CaCollection);

        Assert.True(validator.Validate(pki.ClientCertificate, null).IsValid);
        var other = validator.Validate(pki.OtherClientCertificate, null);
        Assert.False(other.IsValid);
        Assert.Contains("unknown CA", other.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInValidator_RevocationHook_Consulted()
    {
        var pki = TestPki.Shared;
        var validator = new RpcClientCertificateValidator(pki.CaCollection, isRevoked: c => c.SerialNumber == pki.ClientCertificate.SerialNumber);

        var check = validator.Validate(pki.ClientCertificate, null);

        Assert.False(check.IsValid);
        Assert.Contains("revoked", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromPemFiles_MutualTls_ServesAndIdentifiesPeer()
    {
        var pki = TestPki.Shared;
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(
            app => app.MapRpcService(service.Build()),
            Security.MutualTls,
            tls: () => RpcServerTlsOptions.FromPemFiles(pki.ServerCertPem, pki.ServerKeyPem, pki.CaPem));
        var (clientCert, _) = RpcPem.LoadCertificateWithKey(pki.ClientCertPem, pki.ClientKeyPem);
        using var channel = server.CreateChannel(new RpcChannelOptions { RootCertificates = RpcPem.LoadCertificates(pki.CaPem), ClientCertificate = clientCert });

        var response = await channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout();

        Assert.Equal("node-01", response.PeerIdentity);
    }

    [Fact]
    public void FromPemFiles_MissingFile_NamesIt()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => RpcServerTlsOptions.FromPemFiles("/nonexistent/hub.crt", "/nonexistent/hub.key"));
        Assert.Contains("/nonexistent/hub.crt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChannelAddress_NoScheme_SaysHowToFix()
    {
        var ex = Assert.Throws<ArgumentException>(() => RpcChannel.ForAddress("hub:50051"));
        Assert.Contains("Use 'https://hub:50051'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tls_HostNameNotInCertificate_Unavailable()
    {
        // The server certificate names localhost/127.0.0.1/::1; dialing it as another name must fail the host check.
        var service = new InteropService();
        await using var server = await RpcTestServer.StartAsync(app => app.MapRpcService(service.Build()), Security.Tls);
        using var channel = new RpcChannel(new Uri($"https://127.0.0.2:{server.Port}"), new RpcChannelOptions { RootCertificates = TestPki.Shared.CaCollection });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(InteropMethods.Unary, new EchoRequest()).WithTimeout());

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
