using Mesh.Core.Tests;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Node.Tests.Connection.HubFailoverTests;

namespace Mesh.Node.Tests.Connection;

/// <summary>Two real hubs sharing one PostgreSQL database and one CA (a shared cert_dir): a node's session moves between them.</summary>
[Collection(PostgresServer.Collection)]
public sealed class HubFailoverPostgresTests(PostgresServer server)
{
    [Fact]
    public async Task NodeAgent_SessionLostOnHubA_MovesToHubB_WithTheSameCertificate()
    {
        var settings = await server.DatabaseAsync("failover");
        using var dirB = new TempDirectory();
        var store = server.HubStoreToml(settings, dirB);
        var hubA = await TestHub.StartAsync(extraToml: store);
        try
        {
            // Enrolled through hub A before hub B starts (a hub loads the registry when it starts).
            var enroll = hubA.NodeConfig("roamer", await hubA.CreateTokenAsync());
            using (var enrolling = new CancellationTokenSource())
            {
                var first = TestNodeAgents.Create(enroll).RunAsync(enrolling.Token);
                await WaitAsync(() => hubA.Services.GetRequiredService<NodeRegistry>().Get("roamer") is { Status: NodeStatus.Online }, first);
                await enrolling.CancelAsync();
                await first;
            }

            await using var hubB = await TestHub.StartAsync(extraToml: store, reuse: dirB, certDir: Path.Combine(hubA.Directory.Path, "hub-certs"));
            Assert.Equal(hubA.Identity.Authority.Pin, hubB.Identity.Authority.Pin);
            var config = hubA.NodeConfig("roamer", token: null, targets: [hubA.InternalUrl, hubB.InternalUrl]);
            var certificate = Path.Combine(config.InternalGrpc.Security.CertDir, "node.crt");
            var enrolledAs = await File.ReadAllBytesAsync(certificate);
            var logger = new ListLogger<NodeAgent>();
            using var stop = new CancellationTokenSource();
            var registryA = hubA.Services.GetRequiredService<NodeRegistry>();
            var firstSession = registryA.Get("roamer")!.Record.ConnectedSince;
            var running = TestNodeAgents.Create(config, logger: logger).RunAsync(stop.Token);
            // The first session may still count as online (its grace period): wait for the new one.
            await WaitAsync(() => registryA.Get("roamer") is { Status: NodeStatus.Online } n && n.Record.ConnectedSince != firstSession, running, "attached to hub A");
            Assert.False(hubB.Services.GetRequiredService<NodeRegistry>().Get("roamer")!.Connected, "hub A holds the session");

            await hubA.StopAsync();
            await WaitAsync(() => hubB.Services.GetRequiredService<NodeRegistry>().Get("roamer") is { Status: NodeStatus.Online, Connected: true }, running, "attached to hub B");

            Assert.Equal(enrolledAs, await File.ReadAllBytesAsync(certificate));
            Assert.True(logger.Messages("SessionLost").Count == 1, string.Join("\n", logger.Entries));
            var lost = logger.Messages("SessionLost")[0];
            Assert.StartsWith($"Session with hub {hubA.InternalUrl} ended (", lost, StringComparison.Ordinal);
            Assert.EndsWith($"to {hubB.InternalUrl}", lost, StringComparison.Ordinal);
            Assert.Equal([$"Connected to hub {hubA.InternalUrl}", $"Connected to hub {hubB.InternalUrl}"], logger.Messages("HubConnected"));
            await stop.CancelAsync();
            await running;
        }
        finally
        {
            await hubA.DisposeAsync();
            hubA.Directory.Dispose();
        }
    }
}
