using System.Security.Cryptography;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

/// <summary>Bad PEM, keys and lifetimes handed to the CA: each rejected with a message that names the problem.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("", "CA certificate is empty")]
    [InlineData("not pem at all", "CA certificate is not PEM: no -----BEGIN CERTIFICATE----- line found")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB", "CA certificate is truncated or damaged: '-----BEGIN CERTIFICATE-----' has no matching '-----END CERTIFICATE-----' line, or the base64 between them is invalid")]
    public void Load_GarbageCertificatePem_Rejected(string certPem, string message)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(certPem, key.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Load_GarbageKeyPem_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(ca.CertificatePem, ca.CertificatePem));
        Assert.Equal("CA private key holds a 'CERTIFICATE' PEM block but no -----BEGIN PRIVATE KEY----- block", ex.Message);
    }

    [Fact]
    public void Load_EncryptedKey_RejectedWithReason()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var encrypted = key.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000));
        using var ca = CertificateAuthority.Create("c1");
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(ca.CertificatePem, encrypted));
        Assert.Equal("CA private key is encrypted; Mesh needs an unencrypted PKCS#8 key protected by file mode 0600", ex.Message);
    }

    [Fact]
    public void Load_CaWithoutClusterInSubject_Rejected()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Some CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(Pems.Of(cert), key.ExportPkcs8PrivateKeyPem()));
        Assert.Equal("CA certificate subject 'CN=Some CA' has no O=<cluster-id>; it was not made by Mesh", ex.Message);
    }

    [Fact]
    public void Load_HandmadeCaWithCluster_IssuesVerifiableCertificates()
    {
        using var dir = new TempDir();
        using var hand = new HandmadeCa("lab");
        using var ca = CertificateAuthority.Load(Pems.Of(hand.Certificate), hand.Key.ExportPkcs8PrivateKeyPem());
        Assert.Equal("lab", ca.ClusterId);
        using var leaf = ca.IssueClientCertificate("n1");
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, Pems.Of(leaf));
        Assert.True(ok, output);
    }

    [Fact]
    public void Issue_NonPositiveLifetime_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        Assert.Equal("certificate lifetime must be positive (got 00:00:00)", Assert.Throws<PkiException>(() => ca.IssueClientCertificate("n1", TimeSpan.Zero)).Message);
        Assert.Equal("certificate lifetime must be positive (got -01:00:00)", Assert.Throws<PkiException>(() => ca.IssueServerCertificate([], TimeSpan.FromHours(-1))).Message);
        Assert.Equal("CA lifetime must be positive (got 00:00:00)", Assert.Throws<PkiException>(() => CertificateAuthority.Create("c1", lifetime: TimeSpan.Zero)).Message);
    }

    [Fact]
    public void SignNodeCsr_InvalidNodeId_Rejected()
    {
        using var ca = CertificateAuthority.Create("c1");
        var (pem, key) = CertificateSigningRequestInfo.Create("n1", []);
        using var _ = key;
        var ex = Assert.Throws<PkiException>(() => ca.SignNodeCsr(CertificateSigningRequestInfo.Parse(pem), "", TimeSpan.FromHours(1)));
        Assert.StartsWith("node id '' is invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_InvalidClusterId_WritesNothing()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.LoadOrCreate(dir.Path, "has space"));
        Assert.StartsWith("cluster id 'has space' is invalid", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
