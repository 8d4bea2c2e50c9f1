using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mesh.Hub.Tests.Support;
using Mesh.Pki;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Hub.Tests.Nodes.Sessions;

/// <summary>GET /api/admin/agent-nodes/{id}/health: the direct mTLS gRPC health check of a node's grpc_target.</summary>
public sealed class NodeHealthTests
{
    [Fact]
    public async Task Health_GrpcTargetServing_OkWithLatency_HubPresentedClientCertificateFromItsCa()
    {
        await using var hub = await TestHub.StartAsync();
        X509Certificate2? presented = null;
        await using var target = await StartNodeGrpcServerAsync(hub.Identity.Authority, c => presented = c);
        var port = new Uri(target.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var created = await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "grpc-node", grpc_target = $"https://127.0.0.1:{port}", tls_server_name = "localhost" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var report = JsonDocument.Parse(await hub.Admin.GetStringAsync("/api/admin/agent-nodes/grpc-node/health")).RootElement;
        var grpc = report.GetProperty("grpc");
        Assert.True(grpc.GetProperty("ok").GetBoolean(), grpc.ToString());
        Assert.Equal("SERVING", grpc.GetProperty("serving_status").GetString());
        Assert.True(grpc.GetProperty("latency_ms").GetDouble() > 0);
        Assert.False(report.GetProperty("session").GetProperty("connected").GetBoolean());
        Assert.False(report.GetProperty("ok").GetBoolean()); // no live session
        Assert.Equal("pending", report.GetProperty("status").GetString());
        Assert.NotNull(presented);
        // The hub presents its own identity (mesh://cluster/hub), not a node identity a node could also hold.
        Assert.True(NodeIdentity.IsHubCertificate(presented, hub.Identity.ClusterId));
        Assert.False(NodeIdentity.TryGetNodeId(presented, out _, out _));
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task Health_GrpcTargetDown_ReportsErrorNotException()
    {
        await using var hub = await TestHub.StartAsync();
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes", new { id = "down-node", grpc_target = $"https://127.0.0.1:{closedPort}" });

        var report = JsonDocument.Parse(await hub.Admin.GetStringAsync("/api/admin/agent-nodes/down-node/health")).RootElement;
        var grpc = report.GetProperty("grpc");
        Assert.False(grpc.GetProperty("ok").GetBoolean());
        Assert.StartsWith("Unavailable", grpc.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("the node has no live session with this hub", report.GetProperty("session").GetProperty("error").GetString());
        hub.Directory.Dispose();
    }

    /// <summary>A node's own gRPC listener: a hub-CA server certificate, client certificates required and checked against the hub CA.</summary>
    private static async Task<WebApplication> StartNodeGrpcServerAsync(CertificateAuthority ca, Action<X509Certificate2> seen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks().AddCheck("node", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
        var serverCertificate = ca.IssueServerCertificate(["localhost"]);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.CustomTrustStore.Add(ca.Certificate);
                    var ok = chain.Build(certificate);
                    if (ok)
                        seen(new X509Certificate2(certificate));
                    return ok;
                },
            });
        }));
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync();
        return app;
    }
}
