using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Mailbox.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestHub;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>The mailbox API of the real mesh binary over TLS on loopback, including restarts.</summary>
public sealed class MailboxEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ExpiredToken_Unauthenticated()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("alice");
        var past = new ManualClock(DateTimeOffset.UtcNow.AddHours(-2));
        using var channel = hub.Channel();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Mailbox().InboxAsync(new InboxRequest(), Bearer(hub.ActorToken("alice", TimeSpan.FromMinutes(1), past))).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var fresh = await channel.Mailbox().InboxAsync(new InboxRequest(), Bearer(hub.ActorToken("alice"))).ResponseAsync;
        Assert.Empty(fresh.Messages);
    }

    [Fact]
    public async Task ActorTokenForA_ReadingBsInbox_PermissionDenied()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("alice");
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "secret" }, Bearer(hub.ActorToken("alice"))).ResponseAsync;
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Mailbox().InboxAsync(new InboxRequest { ActorId = "bob" }, Bearer(hub.ActorToken("alice"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        var asRoot = await channel.Mailbox().InboxAsync(new InboxRequest { ActorId = "bob" }, Bearer(hub.RootToken())).ResponseAsync;
        Assert.Equal("secret", Assert.Single(asRoot.Messages).Payload);
    }

    [Fact]
    public async Task NodeSignedToken_ForActorPlacedElsewhere_PermissionDenied()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("worker", placement: "node-a");
        await hub.CreateActorAsync("other");
        using var channel = hub.Channel();
        var ok = await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "other", Payload = "hi" }, Bearer(hub.NodeSignedActorToken("node-a", "worker"))).ResponseAsync;
        Assert.False(ok.Duplicate);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.Mailbox().SendAsync(new SendRequest { ToActorId = "other", Payload = "hi" }, Bearer(hub.NodeSignedActorToken("node-b", "worker"))).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task BadInput_StatusCodes()
    {
        await using var hub = await StartAsync("[mailbox]\nmax_payload_bytes = 1024");
        await hub.CreateActorAsync("alice");
        using var channel = hub.Channel();
        var token = Bearer(hub.ActorToken("alice"));
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().SendAsync(new SendRequest { ToActorId = "ghost", Payload = "x" }, token).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().SendAsync(new SendRequest { ToActorId = "alice", Payload = new string('x', 1025) }, token).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().TimeTriggerSetAsync(new TimeTriggerSetRequest { Cron = "x", Message = "m" }, token).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().AckAsync(new AckRequest { MessageIds = { 77 } }, token).ResponseAsync)).StatusCode);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("99999999")]
    [InlineData("\"big\"")]
    public async Task Config_BadMaxPayloadBytes_RefusedAtCheck(string value)
    {
        using var dir = new Mesh.Core.Tests.TempDirectory();
        var path = dir.Write("hub.toml", $"[server]\nrole = \"hub\"\ndata_dir = \"d\"\n[mailbox]\nmax_payload_bytes = {value}\n");
        var (code, _, stderr) = await Mesh.Hub.Tests.Support.MeshProcess.RunAsync("config", "check", "--config", path);
        Assert.Equal(2, code);
        Assert.Contains("mailbox.max_payload_bytes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_StreamsMessagesAsTheyArrive()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("alice");
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        using var stop = new CancellationTokenSource(Timeout);
        using var watch = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.ActorToken("bob") } }, null, stop.Token));
        await watch.ResponseHeadersAsync.WaitAsync(Timeout);
        var sent = new List<ulong>();
        for (var i = 0; i < 10; i++)
            sent.Add((await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "m" + i }, Bearer(hub.ActorToken("alice"))).ResponseAsync).MessageId);
        var received = new List<ulong>();
        while (received.Count < 10 && await watch.ResponseStream.MoveNext(stop.Token))
            received.Add(watch.ResponseStream.Current.Id);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Watch_HubShutsDown_StreamEndsWithUnavailableSoClientsResume()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        using var stop = new CancellationTokenSource(Timeout);
        using var watch = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.ActorToken("bob") } }, null, stop.Token));
        await watch.ResponseHeadersAsync.WaitAsync(Timeout);
        var next = watch.ResponseStream.MoveNext(stop.Token);
        await hub.StopAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => next);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("shutting down", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubRestart_BetweenSendAndInbox_LosesNothing()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("alice");
        await hub.CreateActorAsync("bob");
        var sent = new HashSet<ulong>();
        using (var channel = hub.Channel())
        {
            var token = Bearer(hub.ActorToken("alice"));
            var sends = Enumerable.Range(0, 200).Select(i => channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "m" + i, IdempotencyKey = "k" + i }, token).ResponseAsync);
            foreach (var response in await Task.WhenAll(sends))
                sent.Add(response.MessageId);
        }

        await hub.RestartAsync();
        using var after = hub.Channel();
        var inbox = await after.Mailbox().InboxAsync(new InboxRequest { Limit = 1000 }, Bearer(hub.ActorToken("bob"))).ResponseAsync;
        Assert.Equal(200ul, inbox.PendingCount);
        Assert.True(sent.SetEquals(inbox.Messages.Select(m => m.Id)));
        var again = await after.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "again", IdempotencyKey = "k7" }, Bearer(hub.ActorToken("alice"))).ResponseAsync;
        Assert.True(again.Duplicate);
    }

    [Fact]
    public async Task TimeTrigger_DueWhileHubDown_FiresOnceAfterRestart()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("bob");
        TimeTrigger trigger;
        using (var channel = hub.Channel())
            trigger = await channel.Mailbox().TimeTriggerSetAsync(new TimeTriggerSetRequest { DelaySeconds = 2, Message = "wake up" }, Bearer(hub.ActorToken("bob"))).ResponseAsync;
        await hub.StopAsync();
        var due = DateTimeOffset.FromUnixTimeMilliseconds(trigger.NextDueUnixMs);
        while (DateTimeOffset.UtcNow < due.AddSeconds(1))
            await Task.Delay(200);

        await hub.RestartAsync();
        using (var channel = hub.Channel())
        {
            var token = Bearer(hub.ActorToken("bob"));
            var inbox = await WaitForAsync(() => channel.Mailbox().InboxAsync(new InboxRequest(), token).ResponseAsync, r => r.Messages.Count > 0);
            Assert.Equal("wake up", Assert.Single(inbox.Messages).Payload);
        }

        await hub.RestartAsync();
        using var last = hub.Channel();
        var final = await last.Mailbox().InboxAsync(new InboxRequest { IncludeDelivered = true }, Bearer(hub.ActorToken("bob"))).ResponseAsync;
        Assert.Single(final.Messages);
        var list = await last.Mailbox().TimeTriggerListAsync(new TimeTriggerListRequest { IncludeInactive = true }, Bearer(hub.ActorToken("bob"))).ResponseAsync;
        var stored = Assert.Single(list.Triggers);
        Assert.Equal("done", stored.Status);
        Assert.Equal(1u, stored.FireCount);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
                return value;
            await Task.Delay(100);
        }
    }
}
