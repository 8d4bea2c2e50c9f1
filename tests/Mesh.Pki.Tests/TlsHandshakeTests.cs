using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

/// <summary>Real TLS over loopback: SslStream server and client with certificates from the CA and the validator deciding.</summary>
public sealed class TlsHandshakeTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("hub.example.com")]
    public async Task Handshake_ServerAndClientCertificatesFromCa_Succeeds(string targetHost)
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.example.com"]);
        using var client = ca.IssueClientCertificate("node-1");
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seenByServer = null;
        CertificateValidationResult? seenByClient = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seenByServer = r),
            client, targetHost, validator.ServerCertificateCallback(targetHost, r => seenByClient = r));

        Assert.Null(outcome.ServerError);
        Assert.Null(outcome.ClientError);
        Assert.Equal("hello", outcome.Echo);
        Assert.True(seenByServer!.IsValid, seenByServer.Reason);
        Assert.Equal(("c1", "node-1"), (seenByServer.ClusterId, seenByServer.NodeId));
        Assert.True(seenByClient!.IsValid, seenByClient.Reason);
        Assert.Null(seenByClient.NodeId);
    }

    [Fact]
    public async Task Handshake_ClientCertificateFromAnotherCa_RejectedAsNotSignedByHubCa()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var other = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate([]);
        using var intruder = other.IssueClientCertificate("node-1");
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seen = r),
            intruder, "localhost", validator.ServerCertificateCallback("localhost"));

        Assert.NotNull(outcome.ServerError);
        Assert.Null(outcome.Echo);
        Assert.False(seen!.IsValid);
        Assert.Equal("certificate is not signed by this hub's CA", seen.Reason);
    }

    [Fact]
    public async Task Handshake_RevokedClientCertificate_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate([]);
        using var client = ca.IssueClientCertificate("node-1");
        var revocations = new RevocationList();
        revocations.Revoke(client.SerialNumber, client.NotAfter, DateTimeOffset.UtcNow, "node removed");
        using var validator = new CertificateValidator(ca.Certificate, isRevoked: revocations.IsRevoked);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seen = r),
            client, "localhost", validator.ServerCertificateCallback("localhost"));

        Assert.NotNull(outcome.ServerError);
        Assert.Null(outcome.Echo);
        Assert.Equal($"certificate revoked (serial {client.SerialNumber})", seen!.Reason);
        Assert.Equal("node-1", seen.NodeId);
    }

    [Fact]
    public async Task Handshake_ExpiredClientCertificate_RejectedWithExpiry()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var ca = CertificateAuthority.Create("c1", clock);
        using var server = ca.IssueServerCertificate([]);
        using var client = ca.IssueClientCertificate("node-1");
        using var validator = new CertificateValidator(ca.Certificate, clock);
        clock.Advance(TimeSpan.FromHours(25));
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seen = r),
            client, "localhost", validator.ServerCertificateCallback("localhost"));

        Assert.NotNull(outcome.ServerError);
        Assert.Equal($"certificate expired at {client.NotAfter.ToUniversalTime():u}", seen!.Reason);
    }

    [Fact]
    public async Task Handshake_NoClientCertificate_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate([]);
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seen = r),
            null, "localhost", validator.ServerCertificateCallback("localhost"));

        Assert.NotNull(outcome.ServerError);
        Assert.Equal("no client certificate was presented", seen!.Reason);
    }

    [Fact]
    public async Task Handshake_WrongHostName_RejectedByClient()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.example.com"]);
        using var client = ca.IssueClientCertificate("node-1");
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(),
            client, "other.example.com", validator.ServerCertificateCallback("other.example.com", r => seen = r));

        Assert.NotNull(outcome.ClientError);
        Assert.Equal("certificate does not cover the host name 'other.example.com' (no matching DNS or IP SAN)", seen!.Reason);
    }

    [Fact]
    public async Task Handshake_NodeCertificatePosingAsHub_RejectedByClient()
    {
        using var ca = CertificateAuthority.Create("c1");
        // Even a node certificate that carries the hub's name (an operator registered it as the node's own) cannot pose as the hub.
        var (csrPem, key) = CertificateSigningRequestInfo.Create("evil", ["hub.example.com"]);
        using var csrKey = key;
        using var nodeCert = ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(csrPem), "evil", TimeSpan.FromHours(1), new NodeCertificateNames(["hub.example.com"], []));
        using var nodeWithKey = nodeCert.CopyWithPrivateKey((System.Security.Cryptography.ECDsa)key);
        using var serverCert = X509CertificateLoader.LoadPkcs12(nodeWithKey.Export(X509ContentType.Pkcs12), null);
        using var client = ca.IssueClientCertificate("node-1");
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            serverCert, validator.ClientCertificateCallback(),
            client, "hub.example.com", validator.ServerCertificateCallback("hub.example.com", r => seen = r));

        Assert.NotNull(outcome.ClientError);
        Assert.Equal("certificate belongs to node 'evil', not to the hub", seen!.Reason);
        Assert.True(validator.ValidateNodeServer(nodeCert, "hub.example.com", "evil").IsValid);
        Assert.False(validator.ValidateNodeServer(nodeCert, "hub.example.com", "other").IsValid);
    }

    [Theory]
    [InlineData("ec")]
    [InlineData("rsa")]
    public async Task Handshake_CertificatesLoadedFromKeyFiles_Succeeds(string keyType)
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var issuedServer = ca.IssueServerCertificate([]);
        KeyFiles.WriteCertificateAndKey(dir.Combine("hub.crt"), dir.Combine("hub.key"), issuedServer);

        // The node side: its own key (EC or RSA), a CSR, the CA signs, node.crt/node.key written and loaded back.
        System.Security.Cryptography.AsymmetricAlgorithm nodeKey = keyType == "rsa"
            ? System.Security.Cryptography.RSA.Create(2048)
            : System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        using var disposeKey = nodeKey;
        var csrPem = CsrFactory.Pem(nodeKey, "CN=node-2");
        using var nodeCert = ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(csrPem), "node-2", TimeSpan.FromHours(1));
        KeyFiles.WriteAtomically(dir.Combine("node.key"), nodeKey.ExportPkcs8PrivateKeyPem(), isPrivate: true);
        KeyFiles.WriteAtomically(dir.Combine("node.crt"), Pems.Of(nodeCert), isPrivate: false);

        using var server = KeyFiles.LoadCertificateWithKey(dir.Combine("hub.crt"), dir.Combine("hub.key"));
        using var client = KeyFiles.LoadCertificateWithKey(dir.Combine("node.crt"), dir.Combine("node.key"));
        using var validator = new CertificateValidator(ca.Certificate);
        CertificateValidationResult? seen = null;

        var outcome = await TlsLoopback.RunAsync(
            server, validator.ClientCertificateCallback(r => seen = r),
            client, "localhost", validator.ServerCertificateCallback("localhost"));

        Assert.Null(outcome.ServerError);
        Assert.Null(outcome.ClientError);
        Assert.Equal("hello", outcome.Echo);
        Assert.Equal("node-2", seen!.NodeId);
    }
}
