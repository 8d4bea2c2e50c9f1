using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Tests.Nodes.Registry;

/// <summary>Rows another hub wrote (read back after a cluster-bus notification) in this hub's registry.</summary>
public sealed class StoredByAnotherHubTests
{
    [Fact]
    public async Task ApplyStored_NodeHeldElsewhere_OnlineUntilItsHubStopsStoringHeartbeats()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("far");
        var options = h.Registry.Options;
        var stored = (await h.Sqlite.GetAsync("far", CancellationToken.None))! with { Status = NodeStatus.Online, LastHeartbeatAt = h.Clock.GetUtcNow(), ConnectedSince = h.Clock.GetUtcNow() };

        h.Registry.ApplyStored(stored);
        h.Clock.Advance(options.OfflineAfter + options.FlushInterval);
        h.Registry.Sweep();
        var meanwhile = h.Registry.Get("far")!;
        h.Clock.Advance(options.FlushInterval + TimeSpan.FromSeconds(1));
        h.Registry.Sweep();
        var later = h.Registry.Get("far")!;

        Assert.Equal((NodeStatus.Online, false), (meanwhile.Status, meanwhile.Connected));
        Assert.Equal(NodeStatus.Offline, later.Status);
        Assert.Null(later.Record.ConnectedSince);
        Assert.Empty(h.Registry.TakeDirty()); // shown here only: the store is the holding hub's to write
    }

    [Fact]
    public async Task ApplyStored_NodeAttachedHere_KeepsItsLiveFields_TakesTheStoredOnes()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("near");
        h.Registry.Attach("near", RegistryHarness.Facts("gpu"), 0, draining: false);
        var live = h.Registry.Get("near")!.Record;
        var stored = (await h.Sqlite.GetAsync("near", CancellationToken.None))! with { Name = "renamed elsewhere", Status = NodeStatus.Offline, LastHeartbeatAt = null };

        h.Registry.ApplyStored(stored);
        var now = h.Registry.Get("near")!;

        Assert.Equal(("renamed elsewhere", NodeStatus.Online, live.LastHeartbeatAt, true), (now.Record.Name, now.Status, now.Record.LastHeartbeatAt, now.Connected));
    }

    [Fact]
    public async Task ApplyStored_UnknownNode_JoinsTheRegistryAndItsListeners()
    {
        using var h = await RegistryHarness.CreateAsync();
        await h.AddEnrolledAsync("known");
        var other = (await h.Sqlite.GetAsync("known", CancellationToken.None))! with { Id = "new-elsewhere" };

        h.Registry.ApplyStored(other);

        Assert.Equal(["known", "new-elsewhere"], h.Registry.List().Select(n => n.Id));
    }
}
