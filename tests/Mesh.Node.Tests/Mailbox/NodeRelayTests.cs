using Mesh.Hub.Tests;
using Mesh.Hub.Tests.Support;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Mailbox.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestHub;

namespace Mesh.Node.Tests.Mailbox;

/// <summary>The node-side local mailbox endpoint relaying to a real hub, and its outbox while the hub is down.</summary>
public sealed class NodeRelayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Relay_ForwardsEveryCall_WithTheCallersToken()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("remote", "crew", "worker", placement: "node-a");
        await hub.CreateActorAsync("boss", "crew", "lead");
        await using var relay = await RelayHost.StartAsync(hub, "node-a", Path.Combine(hub.Directory.Path, "node-a-data"));
        using var local = GrpcChannel.ForAddress(relay.Url);
        var token = Bearer(hub.NodeSignedActorToken("node-a", "remote"));

        var sent = await local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "done" }, token).ResponseAsync;
        Assert.False(sent.Queued);
        Assert.True(sent.MessageId > 0);
        using var hubChannel = hub.Channel();
        var bossInbox = await hubChannel.Mailbox().InboxAsync(new InboxRequest(), Bearer(hub.ActorToken("boss"))).ResponseAsync;
        Assert.Equal("remote", Assert.Single(bossInbox.Messages).FromActorId);

        await hubChannel.Mailbox().SendAsync(new SendRequest { ToActorId = "remote", Payload = "next task" }, Bearer(hub.ActorToken("boss"))).ResponseAsync;
        var inbox = await local.Mailbox().InboxAsync(new InboxRequest(), token).ResponseAsync;
        var task = Assert.Single(inbox.Messages);
        Assert.Equal(1u, (await local.Mailbox().AckAsync(new AckRequest { MessageIds = { task.Id } }, token).ResponseAsync).Acked);
        Assert.Equal(2, (await local.Mailbox().TeamMembersAsync(new TeamMembersRequest(), token).ResponseAsync).Members.Count);

        using var stop = new CancellationTokenSource(Timeout);
        using var watch = local.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.NodeSignedActorToken("node-a", "remote") } }, null, stop.Token));
        await watch.ResponseHeadersAsync.WaitAsync(Timeout);
        await hubChannel.Mailbox().SendAsync(new SendRequest { ToActorId = "remote", Payload = "live" }, Bearer(hub.ActorToken("boss"))).ResponseAsync;
        Assert.True(await watch.ResponseStream.MoveNext(stop.Token));
        Assert.Equal("live", watch.ResponseStream.Current.Payload);

        // The hub's refusals come back unchanged.
        var denied = await Assert.ThrowsAsync<RpcException>(() => local.Mailbox().InboxAsync(new InboxRequest { ActorId = "boss" }, token).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() =>
            local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "x" }, Bearer(hub.NodeSignedActorToken("node-b", "remote"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, elsewhere.StatusCode);
    }

    [Fact]
    public async Task HubDown_SendQueuedInOutbox_DeliveredOnceWhenHubReturns()
    {
        await using var hub = await StartAsync();
        hub.PinPorts();
        await hub.CreateActorAsync("remote", placement: "node-a");
        await hub.CreateActorAsync("boss");
        await using var relay = await RelayHost.StartAsync(hub, "node-a", Path.Combine(hub.Directory.Path, "node-a-data"));
        using var local = GrpcChannel.ForAddress(relay.Url);
        var token = Bearer(hub.NodeSignedActorToken("node-a", "remote"));

        await hub.StopAsync();
        var queued = new List<SendResponse>();
        for (var i = 0; i < 3; i++)
            queued.Add(await local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "offline " + i }, token).ResponseAsync);
        Assert.All(queued, q => Assert.True(q.Queued));
        Assert.Equal(3, relay.Relay.QueuedCount);
        Assert.Equal(0, await relay.Relay.FlushAsync(CancellationToken.None)); // still down: nothing lost, nothing delivered

        // A token this node did not sign cannot be queued.
        var foreign = await Assert.ThrowsAsync<RpcException>(() => local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "x" }, Bearer(hub.ActorToken("remote"))).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, foreign.StatusCode);
        // Reads need the hub.
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => local.Mailbox().InboxAsync(new InboxRequest(), token).ResponseAsync)).StatusCode);

        await hub.RestartAsync();
        Assert.Equal(3, await relay.Relay.FlushAsync(CancellationToken.None));
        Assert.Equal(0, await relay.Relay.FlushAsync(CancellationToken.None));
        Assert.Equal(0, relay.Relay.QueuedCount);
        using var hubChannel = hub.Channel();
        var inbox = await hubChannel.Mailbox().InboxAsync(new InboxRequest(), Bearer(hub.ActorToken("boss"))).ResponseAsync;
        Assert.Equal(["offline 0", "offline 1", "offline 2"], inbox.Messages.Select(m => m.Payload).ToArray());
        Assert.All(inbox.Messages, m => Assert.Equal("remote", m.FromActorId));

        // Back online: sends go straight through again.
        var online = await local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "online" }, token).ResponseAsync;
        Assert.False(online.Queued);
    }

    [Fact]
    public async Task Outbox_SurvivesNodeRestart()
    {
        await using var hub = await StartAsync();
        hub.PinPorts();
        await hub.CreateActorAsync("remote", placement: "node-a");
        await hub.CreateActorAsync("boss");
        var dataDir = Path.Combine(hub.Directory.Path, "node-a-data");
        await hub.StopAsync();
        await using (var relay = await RelayHost.StartAsync(hub, "node-a", dataDir))
        {
            using var local = GrpcChannel.ForAddress(relay.Url);
            var queued = await local.Mailbox().SendAsync(new SendRequest { ToActorId = "boss", Payload = "kept" }, Bearer(hub.NodeSignedActorToken("node-a", "remote"))).ResponseAsync;
            Assert.True(queued.Queued);
        }

        await hub.RestartAsync();
        await using var again = await RelayHost.StartAsync(hub, "node-a", dataDir);
        Assert.Equal(1, await again.Relay.FlushAsync(CancellationToken.None));
        using var hubChannel = hub.Channel();
        var inbox = await hubChannel.Mailbox().InboxAsync(new InboxRequest(), Bearer(hub.ActorToken("boss"))).ResponseAsync;
        Assert.Equal("kept", Assert.Single(inbox.Messages).Payload);
    }
}
