using System.Collections.Concurrent;
using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Tests.Mailbox.Support;
using Grpc.Core;
using Grpc.Net.Client;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestHub;

namespace Mesh.Hub.Tests.Mailbox;

/// <summary>
/// 50 senders × 1,000 messages to 10 actors through the real hub while 10 readers watch and ack concurrently:
/// every message reaches the right inbox exactly once, by id and by idempotency key, and none is lost.
/// </summary>
public sealed class MailboxConcurrencyTests
{
    private const int Senders = 50;
    private const int PerSender = 1000;
    private const int Recipients = 10;

    [Fact]
    public async Task FiftySenders_TenReaders_EveryMessageDeliveredOnceToTheRightInbox()
    {
        await using var hub = await StartAsync();
        for (var r = 0; r < Recipients; r++)
            await hub.CreateActorAsync($"inbox-{r}");
        for (var s = 0; s < Senders; s++)
            await hub.CreateActorAsync($"sender-{s:00}");

        using var channel = hub.Channel();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var expectedPerInbox = Senders * PerSender / Recipients;
        var received = new ConcurrentDictionary<ulong, (string Inbox, string Payload)>();
        var duplicates = new ConcurrentBag<ulong>();
        var readers = Enumerable.Range(0, Recipients).Select(r => ReadAndAckAsync(hub, channel, $"inbox-{r}", expectedPerInbox, received, duplicates, stop.Token)).ToList();

        var sentIds = new ConcurrentDictionary<string, ulong>();
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            var token = hub.ActorToken($"sender-{s:00}");
            for (var i = 0; i < PerSender; i++)
            {
                var key = $"s{s:00}-{i:0000}";
                var to = $"inbox-{(s + i) % Recipients}";
                var request = new SendRequest { ToActorId = to, Payload = $"{key}->{to}", IdempotencyKey = key };
                var response = await channel.Mailbox().SendAsync(request, Bearer(token, TimeSpan.FromSeconds(60), stop.Token)).ResponseAsync;
                Assert.False(response.Duplicate);
                Assert.True(sentIds.TryAdd(key, response.MessageId));
                if (i % 100 == 0)
                {
                    // A client retry after a lost answer: same key, same id, nothing stored.
                    var retry = await channel.Mailbox().SendAsync(request, Bearer(token, TimeSpan.FromSeconds(60), stop.Token)).ResponseAsync;
                    Assert.True(retry.Duplicate);
                    Assert.Equal(response.MessageId, retry.MessageId);
                }
            }
        }, stop.Token)).ToList();

        await Task.WhenAll(senders);
        await Task.WhenAll(readers);

        Assert.Empty(duplicates);
        Assert.Equal(Senders * PerSender, sentIds.Count);
        Assert.Equal(Senders * PerSender, received.Count);
        foreach (var (key, id) in sentIds)
        {
            Assert.True(received.TryGetValue(id, out var got), $"message {id} ({key}) was never delivered");
            Assert.Equal(key, got.Payload[..got.Payload.IndexOf("->", StringComparison.Ordinal)]);
            Assert.Equal(got.Inbox, got.Payload[(got.Payload.IndexOf("->", StringComparison.Ordinal) + 2)..]);
        }

        for (var r = 0; r < Recipients; r++)
        {
            var inbox = await channel.Mailbox().InboxAsync(new InboxRequest { ActorId = $"inbox-{r}" }, Bearer(hub.RootToken())).ResponseAsync;
            Assert.Equal(0ul, inbox.PendingCount);
        }
    }

    private static async Task ReadAndAckAsync(
        MailboxTestHub hub,
        GrpcChannel channel,
        string actor,
        int expected,
        ConcurrentDictionary<ulong, (string, string)> received,
        ConcurrentBag<ulong> duplicates,
        CancellationToken cancellationToken)
    {
        var token = hub.ActorToken(actor);
        var toAck = Channel.CreateUnbounded<ulong>();
        var acker = Task.Run(async () =>
        {
            var batch = new List<ulong>();
            while (await toAck.Reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < 500 && toAck.Reader.TryRead(out var id))
                    batch.Add(id);
                var acked = await channel.Mailbox().AckAsync(new AckRequest { MessageIds = { batch } }, Bearer(token, TimeSpan.FromSeconds(60), cancellationToken)).ResponseAsync;
                Assert.Equal((uint)batch.Count, acked.Acked);
            }
        }, cancellationToken);

        var count = 0;
        ulong last = 0;
        while (count < expected)
        {
            // Resume after the last id if the stream ends early (it should not).
            using var watch = channel.Mailbox().Watch(new WatchRequest { AfterId = last },
                new CallOptions(new Metadata { { "authorization", "Bearer " + token } }, null, cancellationToken));
            while (count < expected && await watch.ResponseStream.MoveNext(cancellationToken))
            {
                var message = watch.ResponseStream.Current;
                Assert.Equal(actor, message.ToActorId);
                Assert.True(message.Id > last, "ids arrive in increasing order");
                last = message.Id;
                if (!received.TryAdd(message.Id, (actor, message.Payload)))
                    duplicates.Add(message.Id);
                count++;
                await toAck.Writer.WriteAsync(message.Id, cancellationToken);
            }
        }

        toAck.Writer.Complete();
        await acker;
    }
}
