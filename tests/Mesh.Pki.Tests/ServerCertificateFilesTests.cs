using Mesh.Pki.Tests.Support;

namespace Mesh.Pki.Tests;

public sealed class ServerCertificateFilesTests
{
    [Fact]
    public void LoadOrIssueServerCertificate_FirstRun_WritesHubFilesVerifiedByOpenSsl()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.LoadOrCreate(dir.Path, "c1");
        using var cert = ca.LoadOrIssueServerCertificate(dir.Path, ["hub.example.com", "10.0.0.5"]);

        Assert.True(cert.HasPrivateKey);
        Assert.Equal(["ca.crt", "ca.key", "hub.crt", "hub.key"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("hub.key")));
        var (ok, output) = OpenSsl.Verify(dir, ca.CertificatePem, File.ReadAllText(dir.Combine("hub.crt")), "-purpose", "sslserver");
        Assert.True(ok, output);
        var text = OpenSsl.RunOk("x509", "-in", dir.Combine("hub.crt"), "-noout", "-ext", "subjectAltName");
        Assert.Contains("DNS:hub.example.com, DNS:localhost, IP Address:10.0.0.5, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrIssueServerCertificate_SameNames_Reused()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var first = ca.LoadOrIssueServerCertificate(dir.Path, ["hub.example.com"]);
        using var second = ca.LoadOrIssueServerCertificate(dir.Path, ["HUB.example.com"]);
        Assert.Equal(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void LoadOrIssueServerCertificate_NewAdvertisedName_Reissued()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var first = ca.LoadOrIssueServerCertificate(dir.Path, ["hub.example.com"]);
        using var second = ca.LoadOrIssueServerCertificate(dir.Path, ["hub.example.com", "10.0.0.9"]);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.True(second.MatchesHostname("10.0.0.9"));
    }

    [Fact]
    public void LoadOrIssueServerCertificate_TwoThirdsOfLifetimeGone_Reissued()
    {
        using var dir = new TempDir();
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var ca = CertificateAuthority.Create("c1", clock);
        using var first = ca.LoadOrIssueServerCertificate(dir.Path, [], TimeSpan.FromDays(30));
        clock.Advance(TimeSpan.FromDays(15));
        using var same = ca.LoadOrIssueServerCertificate(dir.Path, [], TimeSpan.FromDays(30));
        clock.Advance(TimeSpan.FromDays(6));
        using var renewed = ca.LoadOrIssueServerCertificate(dir.Path, [], TimeSpan.FromDays(30));
        Assert.Equal(first.Thumbprint, same.Thumbprint);
        Assert.NotEqual(first.Thumbprint, renewed.Thumbprint);
    }

    [Fact]
    public void LoadOrIssueServerCertificate_IssuedByOldCa_Reissued()
    {
        using var dir = new TempDir();
        using var oldCa = CertificateAuthority.Create("c1");
        using var newCa = CertificateAuthority.Create("c1");
        using var first = oldCa.LoadOrIssueServerCertificate(dir.Path, []);
        using var second = newCa.LoadOrIssueServerCertificate(dir.Path, []);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        using var validator = new CertificateValidator(newCa.Certificate);
        Assert.True(validator.ValidateServer(second, "localhost").IsValid);
    }

    [Fact]
    public void LoadOrIssueServerCertificate_DamagedCertificate_Reissued()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using var first = ca.LoadOrIssueServerCertificate(dir.Path, []);
        File.WriteAllText(dir.Combine("hub.crt"), "garbage");
        using var second = ca.LoadOrIssueServerCertificate(dir.Path, []);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
    }

    [Fact]
    public void LoadOrIssueServerCertificate_WorldReadableKey_Refused()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("c1");
        using (ca.LoadOrIssueServerCertificate(dir.Path, []))
        {
        }

        File.SetUnixFileMode(dir.Combine("hub.key"), (UnixFileMode)0b110_100_100);
        var ex = Assert.Throws<PkiException>(() => ca.LoadOrIssueServerCertificate(dir.Path, []));
        Assert.Equal($"key file {dir.Combine("hub.key")} is readable by group/others (mode 0644); run: chmod 600 {dir.Combine("hub.key")}", ex.Message);
    }

    [Fact]
    public void IssueClientCertificate_UppercaseAndUnderscoreIds_KeptExactlyInUriSan()
    {
        using var dir = new TempDir();
        using var ca = CertificateAuthority.Create("Prod_EU");
        using var cert = ca.IssueClientCertificate("Node_A");
        Assert.True(NodeIdentity.TryGetNodeId(cert, out var cluster, out var node));
        Assert.Equal(("Prod_EU", "Node_A"), (cluster, node));
        Assert.Contains("URI:mesh://Prod_EU/node/Node_A", OpenSsl.Text(dir, Pems.Of(cert)), StringComparison.Ordinal);
        using var validator = new CertificateValidator(ca.Certificate);
        Assert.True(validator.ValidateClient(cert).IsValid);
    }
}
