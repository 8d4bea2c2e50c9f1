using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Tests.Support;
using Mesh.Node;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Node.Tests.Session;

/// <summary>The real node agent (session loop, /proc metrics, command answers) against an in-process hub over mTLS.</summary>
public sealed class NodeAgentSessionTests
{
    [Fact]
    public async Task NodeAgent_AttachesWithFacts_SendsMetrics_AnswersTestConnectionAndDrain()
    {
        await using var hub = await TestHub.StartAsync();
        var config = hub.NodeConfig("agent-1", await hub.CreateTokenAsync(), extraToml: "[node]\ncapabilities = [\"docker\", \"gpu\"]");
        using var stop = new CancellationTokenSource();
        var agent = TestNodeAgents.Create(config);
        var running = agent.RunAsync(stop.Token);
        var registry = hub.Services.GetRequiredService<NodeRegistry>();

        await WaitAsync(() => registry.Get("agent-1") is { Status: NodeStatus.Online, Metrics: not null }, TimeSpan.FromSeconds(30));
        var node = registry.Get("agent-1")!;
        Assert.Equal(["docker", "gpu"], node.Record.Capabilities);
        Assert.Equal(Environment.ProcessorCount, node.Record.CpuCount);
        Assert.True(node.Metrics!.MemoryTotalBytes > 0 && node.Metrics.DiskTotalBytes > 0 && node.Metrics.ProcessCount > 0);

        var health = JsonDocument.Parse(await hub.Admin.GetStringAsync("/api/admin/agent-nodes/agent-1/health")).RootElement;
        Assert.True(health.GetProperty("ok").GetBoolean(), health.ToString());
        Assert.Equal("online", health.GetProperty("status").GetString());

        var drained = await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes/agent-1/drain", new { drain = true });
        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        Assert.True(JsonDocument.Parse(await drained.Content.ReadAsStringAsync()).RootElement.GetProperty("draining").GetBoolean());
        await WaitAsync(() => registry.Get("agent-1")!.Draining, TimeSpan.FromSeconds(15));
        // A draining node takes no new work: it is the only gpu node, so none is offered.
        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.GetAsync("/api/cluster/best-node?capabilities=gpu")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes/agent-1/drain", new { drain = false })).StatusCode);
        await WaitAsync(() => !registry.Get("agent-1")!.Draining, TimeSpan.FromSeconds(15));
        var best = await hub.Admin.GetFromJsonAsync<JsonElement>("/api/cluster/best-node?capabilities=gpu");
        Assert.Equal("agent-1", best.GetProperty("node").GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await hub.Admin.PostAsJsonAsync("/api/admin/agent-nodes/nobody/drain", new { drain = true })).StatusCode);
        var sessions = hub.Services.GetRequiredService<NodeSessionManager>();
        Assert.True(await sessions.PingAsync("agent-1", TimeSpan.FromSeconds(10), CancellationToken.None) > TimeSpan.Zero);

        await stop.CancelAsync();
        await running;
        await WaitAsync(() => registry.Get("agent-1")!.Status == NodeStatus.Offline, TimeSpan.FromSeconds(10));
        hub.Directory.Dispose();
    }

    [Fact]
    public async Task NodeAgent_CertificateRefusedInTheHandshake_StopsSayingTheHubRejectedIt()
    {
        await using var hub = await TestHub.StartAsync();
        await Mesh.Hub.Tests.Nodes.Join.JoinTestHelpers.EnrollNodeAsync(hub, "gone");
        Assert.Equal(HttpStatusCode.NoContent, (await hub.Admin.DeleteAsync("/api/admin/agent-nodes/gone")).StatusCode);
        var agent = TestNodeAgents.Create(hub.NodeConfig("gone", token: null));

        var stopped = await Assert.ThrowsAsync<Node.Join.NodeStopException>(() => agent.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.StartsWith("the hub rejected this node's certificate (expired, revoked or from another CA)", stopped.Message, StringComparison.Ordinal);
        hub.Directory.Dispose();
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not met in time");
            await Task.Delay(100);
        }
    }
}
