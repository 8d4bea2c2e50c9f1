using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Mesh.ActorCli.Tests.Security;

/// <summary>
/// Whoever holds a certificate from the hub's CA that is not the hub's (a node's, with the hub's address in it)
/// and can redirect traffic must not receive the operator's or an agent's token: the CLI checks that the server
/// is the hub before it sends anything.
/// </summary>
public sealed class HubImpostorTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Inbox_ServerWithANodeCertificateFromTheHubsCa_RefusedBeforeTheTokenIsSent()
    {
        using var certificate = NodeCertificateFromHubCa("impostor", fixture.Hub.Config.InternalGrpc.Security.CertDir);
        var seen = new ConcurrentQueue<string>();
        await using var impostor = await StartImpostorAsync(certificate, seen);
        var environment = fixture.AgentEnvironment("dev");
        environment["MESH_GRPC_TARGET"] = impostor.Urls.Single();

        var run = await HubFixture.RunAsync(environment, "inbox");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("not the hub", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(seen);
    }

    /// <summary>A node-profile certificate (mesh://cluster/node/id, serverAuth) for 127.0.0.1 and localhost, signed with the hub's CA key.</summary>
    private static X509Certificate2 NodeCertificateFromHubCa(string nodeId, string certDir)
    {
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certDir, "ca.crt")));
        using var caKey = ECDsa.Create();
        caKey.ImportFromPem(File.ReadAllText(Path.Combine(certDir, "ca.key")));
        var organization = ca.SubjectName.EnumerateRelativeDistinguishedNames()
            .First(rdn => rdn.GetSingleElementType().Value == "2.5.4.10").GetSingleElementValue();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeId}, O={organization}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        names.AddUri(new Uri($"mesh://{organization}/node/{nodeId}"));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var leaf = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), now.AddHours(1), RandomNumberGenerator.GetBytes(16));
        using var withKey = leaf.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static async Task<WebApplication> StartImpostorAsync(X509Certificate2 certificate, ConcurrentQueue<string> seen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        app.Run(context =>
        {
            seen.Enqueue(context.Request.Headers.Authorization.ToString());
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        return app;
    }
}
