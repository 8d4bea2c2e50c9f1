using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>The message store on the shared mailbox writer: durability across restart, id order, group commit, idempotency, acks, claims.</summary>
public abstract class MessageStoreContract : MailboxStoreContract
{
    // No message has this id (PostgreSQL's database is shared by the class, so small ids may exist).
    private const ulong UnknownId = 4_000_000_000_000_000_000;

    [Fact]
    public async Task Send_ThenReopen_MessageWithEveryFieldAndActorsSurvive()
    {
        await AddActorsAsync("alice", "bob");
        var sent = await Hub.Messages.SendAsync(new NewMessage(A("alice"), [A("bob")], "team-x", "run-1", "work", "{\"n\":1}", PayloadKind.Json, "key-a"), None);

        await ReopenAsync();

        Assert.NotNull(Hub.Actors.FindActor(A("bob")));
        var message = Assert.Single(await Hub.Messages.ReadAsync(Inbox("bob"), None));
        Assert.Equal(
            (sent.MessageIds[0], A("alice"), A("bob"), "team-x", "run-1", "work", "{\"n\":1}", PayloadKind.Json, "key-a", T0.ToUnixTimeMilliseconds(), MessageStatus.Pending, 0L),
            (message.Id, message.FromActorId, message.ToActorId, message.TeamId, message.RunId, message.Channel, message.Payload, message.PayloadKind,
                message.IdempotencyKey, message.CreatedAtUnixMs, message.Status, message.DeliveredAtUnixMs));
    }

    [Fact]
    public async Task Send_InAConversation_TheConversationAndNoticeAreOnTheMessageForEveryRead()
    {
        await AddActorsAsync("alice", "bob");
        await Hub.Messages.SendAsync(new NewMessage(A("alice"), [A("bob")], null, null, "default", "hi", PayloadKind.Text, null, "conv-1", "affinity broken: moved"), None);
        await Hub.Messages.SendAsync(Text("alice", "bob", "plain"), None);

        await ReopenAsync();

        var reads = new[]
        {
            await Hub.Messages.ReadAsync(Inbox("bob"), None),
            (await Hub.Messages.ReadLatestAsync(A("bob"), 10, None)).Reverse().ToList(),
            await Hub.Messages.ClaimAsync(Inbox("bob"), None),
        };
        foreach (var read in reads)
        {
            Assert.Equal([("hi", "conv-1", "affinity broken: moved"), ("plain", "", "")],
                read.Select(m => (m.Payload, m.ConversationId, m.AffinityNotice)));
        }
    }

    [Fact]
    public async Task Ids_IncreaseAcrossBatchesAndRestarts()
    {
        await AddActorsAsync("alice", "bob");
        var ids = new List<ulong>();
        for (var i = 0; i < 5; i++)
            ids.AddRange((await Hub.Messages.SendAsync(Text("alice", "bob", "m" + i), None)).MessageIds);
        await ReopenAsync();
        ids.AddRange((await Hub.Messages.SendAsync(Text("alice", "bob", "after restart"), None)).MessageIds);

        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Send_ToSeveralRecipients_OneIdEachInOrder_ReadFilteredByRunAndChannel()
    {
        await AddActorsAsync("lead", "a", "b");
        var fan = await Hub.Messages.SendAsync(new NewMessage(A("lead"), [A("a"), A("b")], "t", "run-7", "standup", "in 5", PayloadKind.Text, null), None);
        await Hub.Messages.SendAsync(new NewMessage(A("lead"), [A("a")], null, null, "other", "else", PayloadKind.Text, null), None);

        Assert.Equal([A("a"), A("b")], fan.Recipients);
        Assert.Equal(fan.MessageIds[0] + 1, fan.MessageIds[1]);
        var byRun = await Hub.Messages.ReadAsync(new InboxQuery(A("a"), 10, 0, false, "run-7", null), None);
        var byChannel = await Hub.Messages.ReadAsync(new InboxQuery(A("a"), 10, 0, false, null, "other"), None);
        Assert.Equal("in 5", Assert.Single(byRun).Payload);
        Assert.Equal("else", Assert.Single(byChannel).Payload);
        Assert.Equal(["else", "in 5"], (await Hub.Messages.ReadLatestAsync(A("a"), 10, None)).Select(m => m.Payload));
        var counts = await Hub.Messages.CountPendingByActorAsync(None);
        Assert.Equal((2L, 1L), (counts[A("a")], counts[A("b")]));
    }

    [Fact]
    public async Task Send_ConcurrentWrites_AllStoredWithDistinctIds()
    {
        await AddActorsAsync("alice", "bob");
        var results = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Hub.Messages.SendAsync(Text("alice", "bob", "m" + i, "k" + i), None)));

        Assert.Equal(2000, results.Select(r => r.MessageIds[0]).Distinct().Count());
        Assert.Equal(2000, await Hub.Messages.CountPendingAsync(A("bob"), None));
    }

    [Fact]
    public async Task Batch_OneRefusedOperation_OthersInSameBatchStillCommit()
    {
        await AddActorsAsync("alice", "bob");
        var foreign = (await Hub.Messages.SendAsync(Text("bob", "alice", "for alice"), None)).MessageIds[0];
        var sends = Enumerable.Range(0, 200).Select(i => Hub.Messages.SendAsync(Text("alice", "bob", "m" + i), None)).ToList();
        var refused = Hub.Messages.AckAsync(A("bob"), [foreign], None);
        sends.AddRange(Enumerable.Range(200, 200).Select(i => Hub.Messages.SendAsync(Text("alice", "bob", "m" + i), None)));
        var results = await Task.WhenAll(sends);

        Assert.Equal(MailboxError.PermissionDenied, (await Assert.ThrowsAsync<MailboxException>(() => refused)).Error);
        Assert.Equal(400, results.Select(r => r.MessageIds[0]).Distinct().Count());
        var ids = (await Hub.Messages.ReadAsync(Inbox("bob"), None)).Select(m => m.Id).ToHashSet();
        Assert.True(ids.SetEquals(results.Select(r => r.MessageIds[0])));
    }

    [Fact]
    public async Task Send_SameIdempotencyKey_ReturnsOriginalAndStoresNothing()
    {
        await AddActorsAsync("alice", "bob");
        var first = await Hub.Messages.SendAsync(Text("alice", "bob", "once", "key-1"), None);
        var again = await Hub.Messages.SendAsync(Text("alice", "bob", "twice", "key-1"), None);
        var other = await Hub.Messages.SendAsync(Text("bob", "alice", "mine", "key-1"), None);

        Assert.Equal((false, true), (first.Duplicate, again.Duplicate));
        Assert.Equal(first.MessageIds, again.MessageIds);
        Assert.Equal([A("bob")], again.Recipients);
        Assert.Equal(1, await Hub.Messages.CountPendingAsync(A("bob"), None));
        Assert.False(other.Duplicate); // the key is per sender
    }

    [Fact]
    public async Task Send_DuplicateKeyInSameBatch_StoresOnce()
    {
        await AddActorsAsync("alice", "bob");
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Hub.Messages.SendAsync(Text("alice", "bob", "x", "same"), None)));

        Assert.Single(results.Select(r => r.MessageIds[0]).Distinct());
        Assert.Equal(49, results.Count(r => r.Duplicate));
        Assert.Equal(1, await Hub.Messages.CountPendingAsync(A("bob"), None));
    }

    [Fact]
    public async Task Ack_IsIdempotent_AndMarksDelivered()
    {
        await AddActorsAsync("alice", "bob");
        var id = (await Hub.Messages.SendAsync(Text("alice", "bob", "x"), None)).MessageIds[0];

        Assert.Equal(new AckResult(1, 0), await Hub.Messages.AckAsync(A("bob"), [id], None));
        Assert.Equal(new AckResult(0, 1), await Hub.Messages.AckAsync(A("bob"), [id], None));
        var message = Assert.Single(await Hub.Messages.ReadAsync(Inbox("bob", includeDelivered: true), None));
        Assert.Equal((MessageStatus.Delivered, T0.ToUnixTimeMilliseconds()), (message.Status, message.DeliveredAtUnixMs));
        Assert.Empty(await Hub.Messages.ReadAsync(Inbox("bob"), None));
    }

    [Fact]
    public async Task Ack_ForeignOrUnknownMessage_RefusedAndNothingAcked()
    {
        await AddActorsAsync("alice", "bob");
        var mine = (await Hub.Messages.SendAsync(Text("alice", "bob", "for bob"), None)).MessageIds[0];
        var theirs = (await Hub.Messages.SendAsync(Text("bob", "alice", "for alice"), None)).MessageIds[0];

        var foreign = await Assert.ThrowsAsync<MailboxException>(() => Hub.Messages.AckAsync(A("bob"), [mine, theirs], None));
        var unknown = await Assert.ThrowsAsync<MailboxException>(() => Hub.Messages.AckAsync(A("bob"), [mine, UnknownId], None));

        Assert.Equal((MailboxError.PermissionDenied, MailboxError.NotFound), (foreign.Error, unknown.Error));
        Assert.Equal(1, await Hub.Messages.CountPendingAsync(A("bob"), None));
        Assert.Equal(1, await Hub.Messages.CountPendingAsync(A("alice"), None));
    }

    [Fact]
    public async Task Claim_ConcurrentReaders_EachMessageHandedOutOnce()
    {
        await AddActorsAsync("alice", "bob");
        await Hub.Messages.SendManyAsync(Enumerable.Range(0, 300).Select(i => Text("alice", "bob", "m" + i)).ToList(), None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Hub.Messages.ClaimAsync(Inbox("bob", limit: 40), None)));

        var ids = claims.SelectMany(c => c).Select(m => m.Id).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
        Assert.All(claims.SelectMany(c => c), m => Assert.Equal(MessageStatus.Delivered, m.Status));
    }
}

public sealed class SqliteMessageStoreTests : MessageStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresMessageStoreTests(PostgresServer server) : MessageStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);
}
