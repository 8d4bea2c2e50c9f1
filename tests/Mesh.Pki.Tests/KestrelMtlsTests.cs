using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Pki.Tests;

/// <summary>Kestrel on 127.0.0.1:0 with HTTP/2 over TLS, client certificates required and checked by CertificateValidator.</summary>
public sealed class KestrelMtlsTests
{
    private static async Task<(WebApplication App, Uri Address, List<string> Rejections)> StartAsync(CertificateAuthority ca, X509Certificate2 serverCert)
    {
        var rejections = new List<string>();
        var validator = new CertificateValidator(ca.Certificate);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCert;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (cert, chain, _) =>
                {
                    var result = validator.ValidateClient(cert, chain);
                    if (!result.IsValid)
                    {
                        lock (rejections)
                            rejections.Add(result.Reason!);
                    }

                    return result.IsValid;
                };
            });
        }));
        var app = builder.Build();
        app.MapGet("/whoami", (HttpContext ctx) =>
        {
            var cert = ctx.Connection.ClientCertificate!;
            return NodeIdentity.TryGetNodeId(cert, out var cluster, out var node) ? $"{cluster}/{node} {ctx.Request.Protocol}" : "anonymous";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address), rejections);
    }

    private static HttpClient Client(CertificateAuthority ca, X509Certificate2 clientCert, string host)
    {
        var validator = new CertificateValidator(ca.Certificate);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [clientCert];
        handler.SslOptions.TargetHost = host;
        handler.SslOptions.RemoteCertificateValidationCallback = validator.ServerCertificateCallback(host);
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(20) };
    }

    [Fact]
    public async Task Kestrel_Http2WithNodeCertificate_IdentifiesNode()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var serverCert = ca.IssueServerCertificate(["hub.example.com"]);
        using var clientCert = ca.IssueClientCertificate("node-9");
        var (app, address, rejections) = await StartAsync(ca, serverCert);
        await using var _ = app;
        using var client = Client(ca, clientCert, "localhost");

        var body = await client.GetStringAsync(new Uri(address, "/whoami"));

        Assert.Equal("c1/node-9 HTTP/2", body);
        Assert.Empty(rejections);
    }

    [Fact]
    public async Task Kestrel_ClientCertificateFromAnotherCa_HandshakeRefused()
    {
        using var ca = CertificateAuthority.Create("c1");
        using var other = CertificateAuthority.Create("c1");
        using var serverCert = ca.IssueServerCertificate([]);
        using var intruder = other.IssueClientCertificate("node-9");
        var (app, address, rejections) = await StartAsync(ca, serverCert);
        await using var _ = app;
        using var client = Client(ca, intruder, "localhost");

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri(address, "/whoami")));
        lock (rejections)
            Assert.Contains("certificate is not signed by this hub's CA", rejections);
    }
}
