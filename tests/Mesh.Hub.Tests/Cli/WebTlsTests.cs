using System.Net;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Pki;

namespace Mesh.Hub.Tests.Cli;

/// <summary>[server] tls_cert / tls_key on a real hub process: HTTPS with the operator's certificate, precise refusals.</summary>
public sealed class WebTlsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly CertificateAuthority _ca = CertificateAuthority.Create("web-tls-test");

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    private string HubConfig(string listen, string tls) => _dir.Write("hub.toml", $"""
        [server]
        listen = "{listen}"
        data_dir = "data"
        embedded_node = false
        {tls}
        [internal_grpc]
        listen = "127.0.0.1:0"
        """);

    private (string Cert, string Key) WriteServerCertificate()
    {
        using var certificate = _ca.IssueServerCertificate(["localhost", "127.0.0.1"]);
        var cert = Path.Combine(_dir.Path, "web.crt");
        var key = Path.Combine(_dir.Path, "web.key");
        KeyFiles.WriteCertificateAndKey(cert, key, certificate);
        return (cert, key);
    }

    [Fact]
    public async Task WithCertificate_TheWebListenerServesHttps_AndPlainHttpGetsNoPage()
    {
        var (cert, key) = WriteServerCertificate();
        await using var hub = MeshProcess.Start(["run", "--config", HubConfig("127.0.0.1:0", $"tls_cert = \"{cert}\"\ntls_key = \"{key}\"")]);
        var ready = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60)));

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(_ca.Certificate);
        using var https = new HttpClient(handler);
        var login = await https.GetAsync(new Uri(ready.Web, "/login"));
        using var plain = new HttpClient();
        var plainAttempt = await Record.ExceptionAsync(() => plain.GetAsync(new Uri($"http://{ready.Web.Authority}/login")));

        Assert.Equal("https", ready.Web.Scheme);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("<form", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(plainAttempt);
        Assert.DoesNotContain("mesh hub warning", hub.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyReadableByOthers_RefusesToStart_WithTheChmodThatFixesIt()
    {
        var (cert, key) = WriteServerCertificate();
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (code, _, stderr) = await MeshProcess.RunAsync("run", "--config", HubConfig("127.0.0.1:0", $"tls_cert = \"{cert}\"\ntls_key = \"{key}\""));

        Assert.Equal(1, code);
        Assert.Contains("[server] tls_cert", stderr, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {key}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyOfAnotherCertificate_RefusesToStart()
    {
        var (cert, _) = WriteServerCertificate();
        using var other = _ca.IssueServerCertificate(["other"]);
        var otherKey = Path.Combine(_dir.Path, "other.key");
        KeyFiles.WriteCertificateAndKey(Path.Combine(_dir.Path, "other.crt"), otherKey, other);

        var (code, _, stderr) = await MeshProcess.RunAsync("run", "--config", HubConfig("127.0.0.1:0", $"tls_cert = \"{cert}\"\ntls_key = \"{otherKey}\""));

        Assert.Equal(1, code);
        Assert.Contains("does not match the public key", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpOnANonLoopbackAddress_StartsWithAWarning()
    {
        await using var hub = MeshProcess.Start(["run", "--config", HubConfig("0.0.0.0:0", "")]);
        await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60));

        var warning = await hub.WaitForLineAsync("mesh hub warning:", TimeSpan.FromSeconds(5));
        Assert.Contains("plain HTTP", warning, StringComparison.Ordinal);
        Assert.Contains("tls_cert", warning, StringComparison.Ordinal);
    }
}
