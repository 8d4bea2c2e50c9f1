using Mesh.Core.Tests;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Nodes.Sessions;

/// <summary>The "must show": a hub and three node processes, real mTLS, the live status seen over REST.</summary>
public sealed class SessionProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task HubAndThreeNodes_KillRestartAndHubRestart_StatusFollowsWithoutOperator()
    {
        await using var cluster = new ClusterProcesses(_dir);
        await cluster.StartHubAsync();
        string[] ids = ["node-a", "node-b", "node-c"];
        foreach (var id in ids)
            await cluster.JoinNodeAsync(id);

        await cluster.WaitForAsync(s => ids.All(id => s.GetValueOrDefault(id) == "online"), TimeSpan.FromSeconds(20), "all three online");

        // Kill one node outright: offline within 15 s, the others stay online.
        await cluster.KillNodeAsync("node-b");
        var tookOffline = await cluster.WaitForAsync(s => s["node-b"] == "offline", TimeSpan.FromSeconds(15), "node-b offline");
        Assert.True(tookOffline < TimeSpan.FromSeconds(15), $"offline after {tookOffline}");
        var statuses = await cluster.StatusesAsync();
        Assert.Equal("online", statuses["node-a"]);
        Assert.Equal("online", statuses["node-c"]);

        // Restart it (it keeps its certificate): online again.
        await cluster.StartNodeAsync("node-b");
        await cluster.WaitForAsync(s => s["node-b"] == "online", TimeSpan.FromSeconds(20), "node-b back online");

        // Restart the hub with the nodes held still: the registry loads them all offline...
        foreach (var id in ids)
            cluster.Pause(id);
        await cluster.StopHubAsync();
        await cluster.StartHubAsync();
        statuses = await cluster.StatusesAsync();
        Assert.All(ids, id => Assert.Equal("offline", statuses[id]));

        // ...and they come back online by themselves once they run again.
        foreach (var id in ids)
            cluster.Resume(id);
        await cluster.WaitForAsync(s => ids.All(id => s[id] == "online"), TimeSpan.FromSeconds(45), "all three online after the hub restart");
        foreach (var node in cluster.Nodes.Values)
            Assert.DoesNotContain("Unhandled exception", node.StandardError, StringComparison.Ordinal);
    }
}
