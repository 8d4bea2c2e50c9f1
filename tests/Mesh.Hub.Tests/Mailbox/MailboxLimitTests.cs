using System.Net;
using System.Text.Json;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Mailbox.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestHub;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>Client-given limits cannot make the hub do unbounded work: Watch streams per actor, Inbox page sizes.</summary>
public sealed class MailboxLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Watch_MoreStreamsForOneActorThanItsLimit_ResourceExhaustedNamingTheLimit()
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        using var stop = new CancellationTokenSource(Timeout);
        var token = new Metadata { { "authorization", "Bearer " + hub.ActorToken("bob") } };
        var open = new List<AsyncServerStreamingCall<MailboxMessage>>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                var watch = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(token, null, stop.Token));
                await watch.ResponseHeadersAsync.WaitAsync(Timeout);
                open.Add(watch);
            }

            using var refusedStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            refusedStop.CancelAfter(TimeSpan.FromSeconds(5));
            using var extra = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(token, null, refusedStop.Token));
            var error = await Assert.ThrowsAsync<RpcException>(() => extra.ResponseStream.MoveNext(refusedStop.Token));
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Contains("16 Watch streams", error.Status.Detail, StringComparison.Ordinal);

            // Closing one frees its place.
            open[0].Dispose();
            open.RemoveAt(0);
            var again = await WaitForWatchAsync(channel, token, stop.Token);
            open.Add(again);
        }
        finally
        {
            foreach (var watch in open)
                watch.Dispose();
        }
    }

    [Fact]
    public async Task Watch_MoreStreamsThanTheHubsLimit_ResourceExhaustedNamingTheLimit()
    {
        await using var hub = await StartAsync("[mailbox]\nmax_watch_streams = 2");
        foreach (var actor in new[] { "a1", "a2", "a3" })
            await hub.CreateActorAsync(actor);
        using var channel = hub.Channel();
        using var stop = new CancellationTokenSource(Timeout);
        using var first = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.ActorToken("a1") } }, null, stop.Token));
        using var second = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.ActorToken("a2") } }, null, stop.Token));
        await Task.WhenAll(first.ResponseHeadersAsync, second.ResponseHeadersAsync).WaitAsync(Timeout);

        using var third = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(new Metadata { { "authorization", "Bearer " + hub.ActorToken("a3") } }, null, stop.Token));
        var error = await Assert.ThrowsAsync<RpcException>(() => third.ResponseStream.MoveNext(stop.Token));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("[mailbox] max_watch_streams", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2147483648u)]
    [InlineData(uint.MaxValue)]
    [InlineData(1001u)]
    public async Task Inbox_LimitBeyondTheMaximum_InvalidArgument_NotTheWholeInbox(uint limit)
    {
        await using var hub = await StartAsync();
        await hub.CreateActorAsync("bob");
        using var channel = hub.Channel();
        await channel.Mailbox().SendAsync(new SendRequest { ToActorId = "bob", Payload = "m" }, Bearer(hub.RootToken())).ResponseAsync;

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.Mailbox().InboxAsync(new InboxRequest { Limit = limit }, Bearer(hub.ActorToken("bob"))).ResponseAsync);
        var rest = await hub.Admin.GetAsync(new Uri(hub.WebUrl, $"/api/admin/actors/bob/messages?limit={limit}"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at most 1000", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.Contains("at most 1000", JsonDocument.Parse(await rest.Content.ReadAsStringAsync()).RootElement.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A place frees when the hub sees the stream end, a moment after the client drops it: retry while refused.</summary>
    private static async Task<AsyncServerStreamingCall<MailboxMessage>> WaitForWatchAsync(GrpcChannel channel, Metadata token, CancellationToken cancellationToken)
    {
        while (true)
        {
            var watch = channel.Mailbox().Watch(new WatchRequest(), new CallOptions(token, null, cancellationToken));
            var next = watch.ResponseStream.MoveNext(cancellationToken);
            if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)) != next)
                return watch; // open and waiting for messages: accepted
            var refused = await Assert.ThrowsAsync<RpcException>(() => next);
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            watch.Dispose();
            await Task.Delay(100, cancellationToken);
        }
    }
}
