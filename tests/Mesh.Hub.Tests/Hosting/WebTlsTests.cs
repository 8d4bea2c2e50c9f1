using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mesh.Core.Readiness;
using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Pki;

namespace Mesh.Hub.Tests.Hosting;

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
    public async Task OverHttps_AntiforgeryCookieIsSecure_HstsIsSent_AndAnOversizedBodyIsOneInformationLine()
    {
        const string apiToken = "Web-tls-api-token-0123456789-ABCDEFGHIJ-xyz";
        var (cert, key) = WriteServerCertificate();
        var config = File.ReadAllText(HubConfig("127.0.0.1:0", $"tls_cert = \"{cert}\"\ntls_key = \"{key}\"")) + $"\n[admin]\napi_token = \"{apiToken}\"\n";
        await using var hub = MeshProcess.Start(["run", "--config", _dir.Write("hub-api.toml", config), "--log-format", "json"]);
        var ready = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60)));
        using var handler = new SocketsHttpHandler { UseCookies = false };
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(_ca.Certificate);
        using var https = new HttpClient(handler);

        var login = await https.GetAsync(new Uri(ready.Web, "/login"));
        var csrfCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("mesh_csrf=", StringComparison.Ordinal));
        Assert.Contains("; secure", csrfCookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=", Assert.Single(login.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);

        using var oversized = new HttpRequestMessage(HttpMethod.Post, new Uri(ready.Web, "/api/admin/messages"))
        {
            // Chunked (no Content-Length), so the hub finds out while it reads, as with a client that streams its body.
            Content = new StreamContent(new UnseekableStream(OversizedJson())) { Headers = { ContentType = new("application/json") } },
        };
        oversized.Headers.Authorization = new("Bearer", apiToken);
        var refused = await https.SendAsync(oversized);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);

        await Task.Delay(500);
        var entries = hub.JsonLogEntries();
        Assert.DoesNotContain(entries, e => e.GetProperty("LogLevel").GetString() is "Error" or "Critical");
        Assert.DoesNotContain("   at ", hub.StandardOutput + hub.StandardError, StringComparison.Ordinal);
        var tooLarge = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.Contains("too large", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Information", tooLarge.GetProperty("LogLevel").GetString());
    }

    [Fact]
    public async Task CertificateFileWithAnIntermediate_SendsTheChain_SoClientsTrustingOnlyTheRootConnect()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=web root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=web intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var intermediateCert = intermediateRequest.Create(root, DateTimeOffset.UtcNow.AddMinutes(-4), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3]);
        using var intermediate = intermediateCert.CopyWithPrivateKey(intermediateKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leaf = leafRequest.Create(intermediate, DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow.AddHours(6), [4, 5, 6]);
        var cert = _dir.Write("chain.crt", leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        var key = _dir.Write("chain.key", leafKey.ExportPkcs8PrivateKeyPem());
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var hub = MeshProcess.Start(["run", "--config", HubConfig("127.0.0.1:0", $"tls_cert = \"{cert}\"\ntls_key = \"{key}\"")]);
        var ready = HubReadyLine.Parse(await hub.WaitForLineAsync(HubReadyLine.Prefix, TimeSpan.FromSeconds(60)));

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificate(root.RawData));
        using var https = new HttpClient(handler);

        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync(new Uri(ready.Web, "/login"))).StatusCode);
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

    /// <summary>The start of a valid JSON object whose one string runs past Kestrel's 30 MB body limit.</summary>
    private static byte[] OversizedJson()
    {
        var body = new byte[31 * 1024 * 1024];
        Array.Fill(body, (byte)'a');
        "{\"to_actor_id\":\"x\",\"payload\":\""u8.CopyTo(body);
        return body;
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
