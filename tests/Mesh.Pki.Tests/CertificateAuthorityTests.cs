using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class CertificateAuthorityTests
{
    [Fact]
    public void Create_CaCertificate_HasCaProfileInOpenSsl()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("prod-eu");
        var text = OpenSsl.Text(dir, ca.CertificatePem);

        Assert.Contains("Subject: O = prod-eu, CN = Mesh CA prod-eu", text, StringComparison.Ordinal);
        Assert.Contains("CA:TRUE, pathlen:0", text, StringComparison.Ordinal);
        Assert.Contains("Certificate Sign, CRL Sign", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Subject Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("ASN1 OID: prime256v1", text, StringComparison.Ordinal);
        Assert.Contains("ecdsa-with-SHA256", text, StringComparison.Ordinal);
        Assert.Equal("prod-eu", ca.ClusterId);
        Assert.False(ca.Certificate.HasPrivateKey);
        var years = (ca.Certificate.NotAfter - ca.Certificate.NotBefore).TotalDays / 365.25;
        Assert.InRange(years, 9.99, 10.01);

        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, ca.CertificatePem);
        Assert.True(ok, output);
    }

    [Fact]
    public void Create_InvalidClusterId_Throws()
    {
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Create("bad/cluster"));
        Assert.Contains("cluster id 'bad/cluster' is invalid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IssueServerCertificate_AdvertisedNames_VerifiesWithOpenSslAndHasSansAndEkus()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var server = ca.IssueServerCertificate(["hub.example.com", "10.0.0.5"]);

        Assert.True(server.HasPrivateKey);
        var pem = Pems.Of(server);
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, pem, "-purpose", "sslserver");
        Assert.True(ok, output);
        var text = OpenSsl.Text(dir, pem);
        Assert.Contains("DNS:hub.example.com", text, StringComparison.Ordinal);
        Assert.Contains("DNS:localhost", text, StringComparison.Ordinal);
        Assert.Contains("IP Address:10.0.0.5", text, StringComparison.Ordinal);
        Assert.Contains("IP Address:127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
        Assert.Contains("X509v3 Authority Key Identifier", text, StringComparison.Ordinal);
        Assert.Contains("Issuer: O = c1, CN = Mesh CA c1", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hub example.com")]
    [InlineData("-bad.example.com")]
    [InlineData("10.0.0")]
    [InlineData("")]
    public void IssueServerCertificate_BadName_ThrowsNamingIt(string name)
    {
        using var ca = CertificateAuthority.Create("c1");
        var ex = Assert.Throws<PkiException>(() => ca.IssueServerCertificate([name]));
        Assert.Contains("server certificate names", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IssueClientCertificate_NodeProfile_VerifiesWithOpenSsl()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var client = ca.IssueClientCertificate("node-7");

        Assert.True(client.HasPrivateKey);
        var pem = Pems.Of(client);
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, pem, "-purpose", "sslclient");
        Assert.True(ok, output);
        var text = OpenSsl.Text(dir, pem);
        Assert.Contains("URI:mesh://c1/node/node-7", text, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", text, StringComparison.Ordinal);
        Assert.Contains("CA:FALSE", text, StringComparison.Ordinal);
        Assert.Contains("Subject: O = c1, CN = node-7", text, StringComparison.Ordinal);
        Assert.True(NodeIdentity.TryGetNodeId(client, out var cluster, out var node));
        Assert.Equal(("c1", "node-7"), (cluster, node));
        Assert.Equal(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(5), client.NotAfter - client.NotBefore);
        Assert.Equal(16, client.GetSerialNumber().Length);
    }

    [Fact]
    public void IssueClientCertificate_Lifetime_IsConfigurableAndUsesInjectedClock()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var ca = CertificateAuthority.Create("c1", clock);
        using var client = ca.IssueClientCertificate("n", TimeSpan.FromHours(2));
        Assert.Equal(new DateTime(2030, 1, 1, 11, 55, 0, DateTimeKind.Utc), client.NotBefore.ToUniversalTime());
        Assert.Equal(new DateTime(2030, 1, 1, 14, 0, 0, DateTimeKind.Utc), client.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void IssueClientCertificate_LifetimeBeyondCa_IsClampedToCaExpiry()
    {
        using var ca = CertificateAuthority.Create("c1", lifetime: TimeSpan.FromDays(2));
        using var client = ca.IssueClientCertificate("n", TimeSpan.FromDays(30));
        Assert.Equal(ca.Certificate.NotAfter, client.NotAfter);
    }

    [Fact]
    public void IssueClientCertificate_SerialNumbers_AreUnique()
    {
        using var ca = CertificateAuthority.Create("c1");
        var serials = Enumerable.Range(0, 20).Select(_ =>
        {
            using var c = ca.IssueClientCertificate("n");
            return c.SerialNumber;
        }).ToHashSet();
        Assert.Equal(20, serials.Count);
    }

    [Fact]
    public void Pin_MatchesOpenSslSpkiHash()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        var caPath = dir.Write("ca.crt", ca.CertificatePem);
        var pubPath = dir.Combine("pub.pem");
        OpenSsl.RunOk("x509", "-in", caPath, "-noout", "-pubkey", "-out", pubPath);
        var derPath = dir.Combine("pub.der");
        OpenSsl.RunOk("pkey", "-pubin", "-in", pubPath, "-outform", "DER", "-out", derPath);
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(derPath)));
        var digest = OpenSsl.RunOk("dgst", "-sha256", derPath);

        Assert.Equal(expected, ca.Pin);
        Assert.Contains(ca.Pin["sha256:".Length..], digest, StringComparison.Ordinal);
        Assert.Equal(ca.Pin, CertificatePins.ComputeSpkiPin(ca.Certificate));
    }

    [Fact]
    public void Load_RoundTrip_RecoversClusterIdAndKey()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.LoadOrCreate(dir.Path, "c9");
        using var again = CertificateAuthority.Load(File.ReadAllText(dir.Combine("ca.crt")), File.ReadAllText(dir.Combine("ca.key")));
        Assert.Equal("c9", again.ClusterId);
        Assert.Equal(ca.Pin, again.Pin);
        using var leaf = again.IssueClientCertificate("n1");
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, Pems.Of(leaf));
        Assert.True(ok, output);
    }

    [Fact]
    public void Load_KeyOfAnotherCa_Throws()
    {
        using var dir = new TempDir();
        using var a = CertificateAuthority.LoadOrCreate(dir.Combine("a"), "c1");
        using var b = CertificateAuthority.LoadOrCreate(dir.Combine("b"), "c1");
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(a.CertificatePem, File.ReadAllText(Path.Combine(dir.Path, "b", "ca.key"))));
        Assert.Equal("CA private key does not match the CA certificate's public key", ex.Message);
    }

    [Fact]
    public void Load_LeafInsteadOfCa_Throws()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var leaf = ca.IssueClientCertificate("n1");
        using var key = leaf.GetECDsaPrivateKey()!;
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.Load(Pems.Of(leaf), key.ExportPkcs8PrivateKeyPem()));
        Assert.Contains("is not a CA certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExpiredCa_ThrowsWithFix()
    {
        using var dir = new TempDir();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using (CertificateAuthority.LoadOrCreate(dir.Path, "c1", clock))
        {
        }

        clock.Advance(TimeSpan.FromDays(3660));
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.LoadOrCreate(dir.Path, "c1", clock));
        Assert.Contains("CA certificate expired at", ex.Message, StringComparison.Ordinal);
        Assert.Contains("remove ca.crt and ca.key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_WritesFilesWithModes_AndReloadsSameCa()
    {
        using var dir = new TempDir();
        var certDir = dir.Combine("certs");
        using var first = CertificateAuthority.LoadOrCreate(certDir, "c1");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(certDir, "ca.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(certDir, "ca.crt")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(certDir));
        Assert.Equal(["ca.crt", "ca.key"], Directory.GetFiles(certDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        using var second = CertificateAuthority.LoadOrCreate(certDir, "ignored-when-existing");
        Assert.Equal(first.Pin, second.Pin);
        Assert.Equal("c1", second.ClusterId);

        // The key file is PKCS#8 that openssl reads, and it matches ca.crt.
        var keyText = OpenSsl.RunOk("pkey", "-in", Path.Combine(certDir, "ca.key"), "-noout", "-text");
        Assert.Contains("prime256v1", keyText, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreate_GroupReadableKey_RefusesWithChmodHint()
    {
        using var dir = new TempDir();
        using (CertificateAuthority.LoadOrCreate(dir.Path, "c1"))
        {
        }

        var keyPath = dir.Combine("ca.key");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.LoadOrCreate(dir.Path, "c1"));
        Assert.Equal($"key file {keyPath} is readable by group/others (mode 0640); run: chmod 600 {keyPath}", ex.Message);
    }

    [Fact]
    public void LoadOrCreate_OnlyCertPresent_RefusesToOverwrite()
    {
        using var dir = new TempDir();
        using (CertificateAuthority.LoadOrCreate(dir.Path, "c1"))
        {
        }

        File.Delete(dir.Combine("ca.key"));
        var ex = Assert.Throws<PkiException>(() => CertificateAuthority.LoadOrCreate(dir.Path, "c1"));
        Assert.Contains("ca.crt exists but", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ca.key is missing", ex.Message, StringComparison.Ordinal);
    }
}
