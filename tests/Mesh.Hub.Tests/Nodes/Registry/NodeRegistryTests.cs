using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Tests.Nodes.Registry;

public sealed class NodeRegistryTests
{
    [Fact]
    public async Task Attach_ThenSilence_DegradedAfterOneMissedHeartbeatThenOfflineAfterThree()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");

        var generation = h.Registry.Attach("n1", RegistryHarness.Facts("gpu"), 0, draining: false)!.Value;
        Assert.Equal(NodeStatus.Online, h.Registry.Get("n1")!.Status);

        var beat = new NodeRegistryOptions().HeartbeatInterval;
        h.Clock.Advance(beat * 1.6);
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Degraded, h.Registry.Get("n1")!.Status);

        Assert.True(h.Registry.Heartbeat("n1", generation, RegistryHarness.Metrics(), [], false, 0));
        Assert.Equal(NodeStatus.Online, h.Registry.Get("n1")!.Status);

        h.Clock.Advance(beat * 2.9);
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Degraded, h.Registry.Get("n1")!.Status);
        Assert.Empty(h.Expired);
        h.Clock.Advance(beat * 0.2);
        h.Registry.Sweep();
        var node = h.Registry.Get("n1")!;
        Assert.Equal(NodeStatus.Offline, node.Status);
        Assert.Null(node.Record.ConnectedSince);
        Assert.Equal([("n1", generation)], h.Expired);
        Assert.False(h.Registry.Heartbeat("n1", generation, RegistryHarness.Metrics(), [], false, 0));
    }

    [Fact]
    public async Task Silence_OfflineWithin15sOfTheLastHeartbeat_WithASecondToSpare_EvenAtTheSweepsLastTick()
    {
        var options = new NodeRegistryOptions();
        using var h = await RegistryHarness.CreateAsync(options);
        await h.AddEnrolledAsync("n1");
        var generation = h.Registry.Attach("n1", RegistryHarness.Facts(), 0, draining: false)!.Value;
        Assert.True(h.Registry.Heartbeat("n1", generation, RegistryHarness.Metrics(), [], false, 0));

        // Two missed heartbeats are not yet offline: a node may be late once or twice.
        h.Clock.Advance(options.HeartbeatInterval * 2 + TimeSpan.FromMilliseconds(100));
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Degraded, h.Registry.Get("n1")!.Status);

        // The promise is "offline within 15 s"; a sweep runs every SweepInterval, so the status must already have
        // changed one interval (and a second of margin) before 15 s.
        h.Clock.Advance(TimeSpan.FromSeconds(15) - options.SweepInterval - TimeSpan.FromSeconds(1) - (options.HeartbeatInterval * 2 + TimeSpan.FromMilliseconds(100)));
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Offline, h.Registry.Get("n1")!.Status);
    }

    [Fact]
    public async Task Detach_StaysOnlineDuringGraceThenOffline_UnlessReattached()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");
        await h.AddEnrolledAsync("n2");
        var g1 = h.Registry.Attach("n1", RegistryHarness.Facts(), 0, false)!.Value;
        var g2 = h.Registry.Attach("n2", RegistryHarness.Facts(), 0, false)!.Value;
        h.Registry.Detach("n1", g1);
        h.Registry.Detach("n2", g2);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Online, h.Registry.Get("n1")!.Status);

        // n2 reconnects inside the grace: a late detach of its old stream changes nothing.
        var g2b = h.Registry.Attach("n2", RegistryHarness.Facts(), 0, false)!.Value;
        h.Registry.Detach("n2", g2);
        h.Clock.Advance(TimeSpan.FromSeconds(3));
        h.Registry.Heartbeat("n2", g2b, RegistryHarness.Metrics(), [], false, 0);
        h.Registry.Sweep();
        Assert.Equal(NodeStatus.Offline, h.Registry.Get("n1")!.Status);
        Assert.Equal(NodeStatus.Online, h.Registry.Get("n2")!.Status);
        Assert.True(h.Registry.IsCurrent("n2", g2b));
        Assert.False(h.Registry.IsCurrent("n2", g2));
    }

    [Fact]
    public async Task HeartbeatWithProblems_Degraded_ClearedProblems_Online()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");
        var g = h.Registry.Attach("n1", RegistryHarness.Facts(), 0, false)!.Value;
        h.Registry.Heartbeat("n1", g, RegistryHarness.Metrics(), ["disk 98% full"], false, 0);
        var node = h.Registry.Get("n1")!;
        Assert.Equal(NodeStatus.Degraded, node.Status);
        Assert.Equal(["disk 98% full"], node.Problems);
        h.Registry.Heartbeat("n1", g, RegistryHarness.Metrics(), [], false, 0);
        Assert.Equal(NodeStatus.Online, h.Registry.Get("n1")!.Status);
    }

    [Fact]
    public async Task Attach_UnknownOrRevokedNode_Refused()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("gone", NodeStatus.Revoked);
        Assert.Null(h.Registry.Attach("nobody", RegistryHarness.Facts(), 0, false));
        Assert.Null(h.Registry.Attach("gone", RegistryHarness.Facts(), 0, false));
    }

    [Fact]
    public async Task RevocationWrittenThroughStore_DisconnectsLiveEntry_AndFlushKeepsRevoked()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");
        var g = h.Registry.Attach("n1", RegistryHarness.Facts(), 0, false)!.Value;
        var record = (await h.Store.GetAsync("n1", CancellationToken.None))!;
        await h.Store.UpdateAsync(record with { Status = NodeStatus.Revoked, RevokedAt = h.Clock.GetUtcNow() }, CancellationToken.None);

        Assert.Equal(NodeStatus.Revoked, h.Registry.Get("n1")!.Status);
        Assert.False(h.Registry.Heartbeat("n1", g, RegistryHarness.Metrics(), [], false, 0));
        await h.Store.UpdateLiveStateAsync([new NodeLiveUpdate("n1", NodeStatus.Online, h.Clock.GetUtcNow(), h.Clock.GetUtcNow(), null)], CancellationToken.None);
        Assert.Equal(NodeStatus.Revoked, (await h.Store.GetAsync("n1", CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task OperatorEditWhileOnline_KeepsLiveStatus()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");
        h.Registry.Attach("n1", RegistryHarness.Facts(), 0, false);
        var stale = (await h.Store.GetAsync("n1", CancellationToken.None))!; // still "offline" on disk
        await h.Store.UpdateAsync(stale with { Name = "renamed" }, CancellationToken.None);
        var node = h.Registry.Get("n1")!;
        Assert.Equal("renamed", node.Record.Name);
        Assert.Equal(NodeStatus.Online, node.Status);
    }

    [Fact]
    public async Task ManyHeartbeats_CoalesceIntoOneUpdatePerNode_PersistedInOneFlush_AndOfflineAfterReload()
    {
        var dir = new Core.Tests.TempDirectory();
        using (var h = await RegistryHarness.CreateAsync(reuse: dir))
        {
            var generations = new Dictionary<string, long>();
            for (var i = 0; i < 50; i++)
            {
                await h.AddEnrolledAsync($"n{i:00}");
                generations[$"n{i:00}"] = h.Registry.Attach($"n{i:00}", RegistryHarness.Facts("docker"), 0, false)!.Value;
            }

            for (var beat = 0; beat < 10; beat++)
            {
                h.Clock.Advance(TimeSpan.FromSeconds(5));
                foreach (var (id, g) in generations)
                    Assert.True(h.Registry.Heartbeat(id, g, RegistryHarness.Metrics(), [], false, 0));
            }

            var updates = h.Registry.TakeDirty();
            Assert.Equal(50, updates.Count);
            Assert.Empty(h.Registry.TakeDirty());
            await h.Store.UpdateLiveStateAsync(updates, CancellationToken.None);
            var stored = (await h.Store.GetAsync("n07", CancellationToken.None))!;
            Assert.Equal(NodeStatus.Online, stored.Status);
            Assert.Equal(h.Clock.GetUtcNow(), stored.LastHeartbeatAt);
            Assert.Equal(["docker"], stored.Capabilities);
            Assert.Equal(4, stored.CpuCount);
        }

        // A hub restart: every node loads offline until its session comes back.
        using (var again = await RegistryHarness.CreateAsync(reuse: dir))
        {
            Assert.All(again.Registry.List(), n => Assert.Equal(NodeStatus.Offline, n.Status));
            Assert.All(await again.Store.ListAsync(CancellationToken.None), n => Assert.Null(n.ConnectedSince));
        }

        dir.Dispose();
    }

    [Fact]
    public async Task BestNodes_OnlineWithAllCapabilities_LeastLoadedFirst()
    {
        using var h = await RegistryHarness.CreateAsync();
        foreach (var id in new[] { "busy", "idle", "nogpu", "off" })
            await h.AddEnrolledAsync(id);
        var busy = h.Registry.Attach("busy", RegistryHarness.Facts("gpu", "docker"), 0, false)!.Value;
        var idle = h.Registry.Attach("idle", RegistryHarness.Facts("gpu", "docker"), 0, false)!.Value;
        var nogpu = h.Registry.Attach("nogpu", RegistryHarness.Facts("docker"), 0, false)!.Value;
        h.Registry.Heartbeat("busy", busy, RegistryHarness.Metrics(cpu: 0.9), [], false, 0);
        h.Registry.Heartbeat("idle", idle, RegistryHarness.Metrics(cpu: 0.1), [], false, 0);
        h.Registry.Heartbeat("nogpu", nogpu, RegistryHarness.Metrics(cpu: 0.0), [], false, 0);

        Assert.Equal(["idle", "busy"], h.Registry.BestNodes(["gpu", "docker"]).Select(n => n.Id));
        Assert.Equal(["nogpu", "idle", "busy"], h.Registry.BestNodes([]).Select(n => n.Id));
        Assert.Empty(h.Registry.BestNodes(["tpu"]));
        var stats = NodeRegistry.Stats(h.Registry.List());
        Assert.Equal((4, 3, 1, 12), (stats.Total, stats.Online, stats.Offline, stats.Cpus));
    }

    [Fact]
    public async Task ChangeFeed_CoalescesPerNode_AndCapsSubscribers()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("n1");
        using var subscription = h.Feed.TrySubscribe()!;
        var g = h.Registry.Attach("n1", RegistryHarness.Facts(), 0, false)!.Value;
        for (var i = 0; i < 100; i++)
            h.Registry.Heartbeat("n1", g, RegistryHarness.Metrics(), i % 2 == 0 ? ["x"] : [], false, 0);
        await h.AddEnrolledAsync("n2");

        var (ids, membership) = Mesh.Hub.Nodes.NodesFeed.Coalesce(await subscription.NextAsync(CancellationToken.None));
        Assert.Equal(["n1", "n2"], ids.Order(StringComparer.Ordinal));
        Assert.True(membership);

        using var s2 = h.Feed.TrySubscribe();
        using var s3 = h.Feed.TrySubscribe();
        Assert.NotNull(s3);
        Assert.Null(h.Feed.TrySubscribe());
        s2!.Dispose();
        using var s4 = h.Feed.TrySubscribe();
        Assert.NotNull(s4);
    }
}
