using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Messages;

/// <summary>The SQLite message store on the shared mailbox writer: durability across reopen, id order, group commit, idempotency, acks, claims.</summary>
public sealed class MessageStoreTests
{
    [Fact]
    public async Task Send_ThenReopen_MessageAndActorsSurvive()
    {
        await using var first = await StoreHarness.OpenAsync();
        await AddActorsAsync(first, "alice", "bob");
        var sent = await first.MessageStore.SendAsync(Text("alice", "bob", "hello"), CancellationToken.None);

        await using var second = await first.ReopenAsync();
        Assert.NotNull(second.ActorStore.FindActor("bob"));
        var inbox = await second.MessageStore.ReadAsync(new InboxQuery("bob", 10, 0, false, null, null), CancellationToken.None);
        var message = Assert.Single(inbox);
        Assert.Equal(sent.MessageIds[0], message.Id);
        Assert.Equal("hello", message.Payload);
        Assert.Equal("alice", message.FromActorId);
        Assert.Equal(MessageStatus.Pending, message.Status);
    }

    [Fact]
    public async Task Ids_IncreaseAcrossBatchesAndRestarts()
    {
        await using var first = await StoreHarness.OpenAsync();
        await AddActorsAsync(first, "alice", "bob");
        var ids = new List<ulong>();
        for (var i = 0; i < 5; i++)
            ids.AddRange((await first.MessageStore.SendAsync(Text("alice", "bob", "m" + i), CancellationToken.None)).MessageIds);
        await using var second = await first.ReopenAsync();
        ids.AddRange((await second.MessageStore.SendAsync(Text("alice", "bob", "after restart"), CancellationToken.None)).MessageIds);
        Assert.Equal(ids.OrderBy(i => i), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task Send_ConcurrentWrites_AllStoredWithDistinctIds()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var sends = Enumerable.Range(0, 2000).Select(i => h.MessageStore.SendAsync(Text("alice", "bob", "m" + i, "k" + i), CancellationToken.None)).ToList();
        var results = await Task.WhenAll(sends);
        Assert.Equal(2000, results.Select(r => r.MessageIds[0]).Distinct().Count());
        Assert.Equal(2000, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
    }

    [Fact]
    public async Task Batch_OneRefusedOperation_OthersInSameBatchStillCommit()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var foreign = (await h.MessageStore.SendAsync(Text("bob", "alice", "for alice"), CancellationToken.None)).MessageIds[0];
        var sends = Enumerable.Range(0, 200).Select(i => h.MessageStore.SendAsync(Text("alice", "bob", "m" + i), CancellationToken.None)).ToList();
        var refused = h.MessageStore.AckAsync("bob", [foreign], CancellationToken.None);
        sends.AddRange(Enumerable.Range(200, 200).Select(i => h.MessageStore.SendAsync(Text("alice", "bob", "m" + i), CancellationToken.None)));
        var results = await Task.WhenAll(sends);
        Assert.Equal(MailboxError.PermissionDenied, (await Assert.ThrowsAsync<MailboxException>(() => refused)).Error);
        Assert.Equal(400, results.Select(r => r.MessageIds[0]).Distinct().Count());
        Assert.Equal(400, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
        var ids = (await h.MessageStore.ReadAsync(new InboxQuery("bob", 1000, 0, false, null, null), CancellationToken.None)).Select(m => m.Id).ToList();
        Assert.True(ids.ToHashSet().SetEquals(results.Select(r => r.MessageIds[0])));
    }

    [Fact]
    public async Task Send_SameIdempotencyKey_ReturnsOriginalAndStoresNothing()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var first = await h.MessageStore.SendAsync(Text("alice", "bob", "once", "key-1"), CancellationToken.None);
        var again = await h.MessageStore.SendAsync(Text("alice", "bob", "twice", "key-1"), CancellationToken.None);
        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.MessageIds, again.MessageIds);
        Assert.Equal(1, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));

        // The key is per sender: another sender may use it.
        var other = await h.MessageStore.SendAsync(Text("bob", "alice", "mine", "key-1"), CancellationToken.None);
        Assert.False(other.Duplicate);
    }

    [Fact]
    public async Task Send_DuplicateKeyInSameBatch_StoresOnce()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => h.MessageStore.SendAsync(Text("alice", "bob", "x", "same"), CancellationToken.None)));
        Assert.Single(results.Select(r => r.MessageIds[0]).Distinct());
        Assert.Equal(49, results.Count(r => r.Duplicate));
        Assert.Equal(1, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
    }

    [Fact]
    public async Task Ack_IsIdempotent()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var id = (await h.MessageStore.SendAsync(Text("alice", "bob", "x"), CancellationToken.None)).MessageIds[0];
        Assert.Equal(new AckResult(1, 0), await h.MessageStore.AckAsync("bob", [id], CancellationToken.None));
        Assert.Equal(new AckResult(0, 1), await h.MessageStore.AckAsync("bob", [id], CancellationToken.None));
        Assert.Equal(0, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
    }

    [Fact]
    public async Task Ack_ForeignOrUnknownMessage_RefusedAndNothingAcked()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        var mine = (await h.MessageStore.SendAsync(Text("alice", "bob", "for bob"), CancellationToken.None)).MessageIds[0];
        var theirs = (await h.MessageStore.SendAsync(Text("bob", "alice", "for alice"), CancellationToken.None)).MessageIds[0];

        var foreign = await Assert.ThrowsAsync<MailboxException>(() => h.MessageStore.AckAsync("bob", [mine, theirs], CancellationToken.None));
        Assert.Equal(MailboxError.PermissionDenied, foreign.Error);
        var unknown = await Assert.ThrowsAsync<MailboxException>(() => h.MessageStore.AckAsync("bob", [mine, 9999], CancellationToken.None));
        Assert.Equal(MailboxError.NotFound, unknown.Error);
        Assert.Equal(1, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
        Assert.Equal(1, await h.MessageStore.CountPendingAsync("alice", CancellationToken.None));
    }

    [Fact]
    public async Task Claim_ConcurrentReaders_EachMessageHandedOutOnce()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "alice", "bob");
        for (var i = 0; i < 300; i++)
            await h.MessageStore.SendAsync(Text("alice", "bob", "m" + i), CancellationToken.None);
        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => h.MessageStore.ClaimAsync(new InboxQuery("bob", 40, 0, false, null, null), CancellationToken.None)));
        var ids = claims.SelectMany(c => c).Select(m => m.Id).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
        Assert.All(claims.SelectMany(c => c), m => Assert.Equal(MessageStatus.Delivered, m.Status));
    }
}
