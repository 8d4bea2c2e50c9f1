using System.Text.Json;
using Mesh.Core.Tests;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Mesh.Node.Tests.Connection.HubFailoverTests;

namespace Mesh.Node.Tests.Connection;

/// <summary>
/// Two real hubs on one PostgreSQL database and one CA: a node enrolled and attached through hub A shows on hub B's
/// registry and REST API, online with its heartbeats, live; when hub A stops, the node moves to hub B.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class TwoHubsRegistryTests(PostgresServer server)
{
    [Fact]
    public async Task NodeAttachedToHubA_ShownOnlineWithHeartbeatsOnHubB_ThenHeldByB()
    {
        var settings = await server.DatabaseAsync("two_hubs_registry");
        using var dirB = new TempDirectory();
        var store = server.HubStoreToml(settings, dirB);
        await using var hubA = await TestHub.StartAsync(extraToml: store);
        await using var hubB = await TestHub.StartAsync(extraToml: store, reuse: dirB, certDir: Path.Combine(hubA.Directory.Path, "hub-certs"));
        var registryA = hubA.Services.GetRequiredService<NodeRegistry>();
        var registryB = hubB.Services.GetRequiredService<NodeRegistry>();
        // Enrolled through hub A after hub B started: hub B hears of the new node, then of its session and heartbeats.
        var config = hubA.NodeConfig("seen-1", await hubA.CreateTokenAsync(), targets: [hubA.InternalUrl, hubB.InternalUrl]);
        using var stop = new CancellationTokenSource();
        var running = TestNodeAgents.Create(config).RunAsync(stop.Token);
        try
        {
            await WaitAsync(() => registryA.Get("seen-1") is { Status: NodeStatus.Online, Connected: true }, running, "attached to hub A");
            await WaitAsync(() => registryB.Get("seen-1") is { Status: NodeStatus.Online }, running, "online on hub B");
            var first = await NodeOnBAsync(hubB);
            var firstBeat = first.GetProperty("last_heartbeat_at").GetString();
            await WaitAsync(() => NodeOnBAsync(hubB).GetAwaiter().GetResult().GetProperty("last_heartbeat_at").GetString() != firstBeat, running, "a newer heartbeat on hub B");

            Assert.Equal("online", first.GetProperty("status").GetString());
            Assert.False(registryB.Get("seen-1")!.Connected, "hub B shows the node; hub A holds its session");
            Assert.Equal(registryA.Get("seen-1")!.Record.Hostname, registryB.Get("seen-1")!.Record.Hostname);

            await hubA.StopAsync();
            await WaitAsync(() => registryB.Get("seen-1") is { Status: NodeStatus.Online, Connected: true }, running, "attached to hub B");
            Assert.Equal("online", (await NodeOnBAsync(hubB)).GetProperty("status").GetString());
        }
        finally
        {
            await stop.CancelAsync();
            await running;
            hubA.Directory.Dispose();
        }
    }

    private static async Task<JsonElement> NodeOnBAsync(TestHub hubB) =>
        JsonDocument.Parse(await hubB.Admin.GetStringAsync("/api/admin/agent-nodes/seen-1")).RootElement;
}
