using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Messages;

public sealed class MessageServiceTests
{
    [Theory]
    [InlineData("{\"task\": ", "the payload is not valid JSON at line 1, column 10: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed. Fix it, or send it as text.")]
    [InlineData("{\n  \"a\": 1,\n  oops\n}", "the payload is not valid JSON at line 3, column 3: 'o' is an invalid start of a property name. Expected a '\"'. Fix it, or send it as text.")]
    public void CheckPayload_InvalidJson_SaysWhereAndWhyInWords(string payload, string expected)
    {
        var refused = Assert.Throws<MailboxException>(() => MailboxInput.CheckPayload(payload, PayloadKind.Json, new MailboxOptions()));
        Assert.Equal(MailboxError.InvalidArgument, refused.Error);
        Assert.Equal(expected, refused.Message);
    }

    [Fact]
    public async Task Send_BadInput_PreciseRefusals()
    {
        await using var h = await TeamAsync(new MailboxOptions { MaxPayloadBytes = 16 });
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), To("ghost", "x"), None)));
        Assert.Equal(MailboxError.ResourceExhausted, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), To("lead", new string('é', 9)), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "{nope", PayloadKind = PayloadKind.Json }, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), new SendRequest { Payload = "no target" }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Messages.SendAsync(Actor("ghost"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "x", IdempotencyKey = new string('k', 300) }, None)));
    }

    [Fact]
    public async Task Send_DuplicateIdempotencyKey_ReturnsOriginalId()
    {
        await using var h = await TeamAsync();
        var first = await h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "a", IdempotencyKey = "k" }, None);
        var second = await h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "b", IdempotencyKey = "k" }, None);
        Assert.True(second.Duplicate);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(1ul, (await h.Messages.InboxAsync(Actor("lead"), new InboxRequest(), None)).PendingCount);
    }

    [Fact]
    public async Task SendBatch_ValidItemsStoredInOrder_InvalidOnesAnsweredEach()
    {
        await using var h = await TeamAsync(new MailboxOptions { MaxPayloadBytes = 16 });
        var request = new SendBatchRequest
        {
            Messages =
            {
                new SendRequest { ToActorId = "lead", Payload = "one", IdempotencyKey = "b1" },
                new SendRequest { ToActorId = "ghost", Payload = "lost" },
                new SendRequest { ToActorId = "lead", Payload = new string('x', 17) },
                new SendRequest { ToActorId = "lead", Payload = "again", IdempotencyKey = "b1" },
                new SendRequest { TeamId = "t1", Payload = "all" },
                new SendRequest { ActorId = "rev", ToActorId = "lead", Payload = "not me" },
            },
        };
        var response = await h.Messages.SendBatchAsync(Actor("alice"), request, None);
        var r = response.Results;
        Assert.Equal(6, r.Count);
        Assert.True(r[0].Response.MessageId > 0);
        Assert.Equal("NOT_FOUND", r[1].ErrorCode);
        Assert.Equal("RESOURCE_EXHAUSTED", r[2].ErrorCode);
        Assert.True(r[3].Response.Duplicate);
        Assert.Equal(r[0].Response.MessageId, r[3].Response.MessageId);
        Assert.Equal(3, r[4].Response.MessageIds.Count);
        Assert.Equal("PERMISSION_DENIED", r[5].ErrorCode);
        var lead = await h.Messages.InboxAsync(Actor("lead"), new InboxRequest(), None);
        Assert.Equal(["one", "all"], lead.Messages.Select(m => m.Payload).ToArray());
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.SendBatchAsync(Actor("alice"), new SendBatchRequest(), None)));
    }

    [Fact]
    public async Task TeamChannel_FansOutToMembersButSender_AndOnlyMembersPost()
    {
        await using var h = await TeamAsync();
        var sent = await h.Messages.SendAsync(Actor("alice"), new SendRequest { TeamId = "t1", Payload = "standup" }, None);
        Assert.Equal(["lead", "remote", "rev"], sent.Recipients.Order().ToArray());
        Assert.Equal(3, sent.MessageIds.Distinct().Count());
        Assert.Empty((await h.Messages.InboxAsync(Actor("alice"), new InboxRequest(), None)).Messages);
        Assert.Equal("t1", Assert.Single((await h.Messages.InboxAsync(Actor("rev"), new InboxRequest(), None)).Messages).TeamId);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.SendAsync(Actor("loner"), new SendRequest { TeamId = "t1", Payload = "x" }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Messages.SendAsync(Root, new SendRequest { TeamId = "nope", Payload = "x" }, None)));
    }

    [Fact]
    public async Task Inbox_AutoAckAndFilters()
    {
        await using var h = await TeamAsync();
        await h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "r1", RunId = "run-1" }, None);
        await h.Messages.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "r2", RunId = "run-2", Channel = "ops" }, None);
        var run1 = await h.Messages.InboxAsync(Actor("lead"), new InboxRequest { RunId = "run-1" }, None);
        Assert.Equal("r1", Assert.Single(run1.Messages).Payload);
        var ops = await h.Messages.InboxAsync(Actor("lead"), new InboxRequest { Channel = "ops", AutoAck = true }, None);
        Assert.Equal("r2", Assert.Single(ops.Messages).Payload);
        Assert.Equal(1ul, ops.PendingCount);
        var all = await h.Messages.InboxAsync(Actor("lead"), new InboxRequest { IncludeDelivered = true }, None);
        Assert.Equal(2, all.Messages.Count);
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Messages.InboxAsync(Actor("lead"), new InboxRequest { Limit = 5000 }, None)));
    }

    [Fact]
    public async Task Ack_AnotherActorsMessage_PermissionDenied()
    {
        await using var h = await TeamAsync();
        var sent = await h.Messages.SendAsync(Actor("alice"), To("lead", "x"), None);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Messages.AckAsync(Actor("rev"), new AckRequest { MessageIds = { sent.MessageId } }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Messages.AckAsync(Actor("lead"), new AckRequest { MessageIds = { 424242 } }, None)));
        Assert.Equal(1u, (await h.Messages.AckAsync(Actor("lead"), new AckRequest { MessageIds = { sent.MessageId } }, None)).Acked);
    }

    [Fact]
    public async Task Watch_SendsBacklogThenLiveMessagesInOrder()
    {
        await using var h = await TeamAsync();
        var old = await h.Messages.SendAsync(Actor("alice"), To("lead", "old"), None);
        var seen = Channel.CreateUnbounded<MailboxMessage>();
        using var stop = new CancellationTokenSource();
        var watch = h.Messages.WatchAsync(Actor("lead"), new WatchRequest(), (m, _, _) => { seen.Writer.TryWrite(m); return ValueTask.CompletedTask; }, stop.Token);
        Assert.Equal("old", (await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Payload);
        for (var i = 0; i < 20; i++)
            await h.Messages.SendAsync(Actor("alice"), To("lead", "live " + i), None);
        for (var i = 0; i < 20; i++)
            Assert.Equal("live " + i, (await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Payload);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        Assert.Equal(0, h.Notifier.WatcherCount("lead"));
        Assert.True(old.MessageId > 0);
    }

    [Fact]
    public async Task Watch_AMessageInBothTheBacklogAndTheLiveFeed_IsSentOnce()
    {
        // The race this pins down: a message committed after the watch subscribed but before it read the backlog
        // reaches the watcher twice (backlog and live feed); the live loop must skip what the backlog already sent.
        await using var h = await TeamAsync();
        await h.Messages.SendAsync(Actor("alice"), To("lead", "first"), None);
        var inBacklog = (await h.Messages.InboxAsync(Actor("lead"), new InboxRequest(), None)).Messages.Single();
        var seen = Channel.CreateUnbounded<MailboxMessage>();
        using var stop = new CancellationTokenSource();
        var watch = h.Messages.WatchAsync(Actor("lead"), new WatchRequest(), (m, _, _) => { seen.Writer.TryWrite(m); return ValueTask.CompletedTask; }, stop.Token,
            ready: () =>
            {
                h.Notifier.MessagesCommitted([inBacklog]);
                return Task.CompletedTask;
            });
        Assert.Equal("first", (await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Payload);

        await h.Messages.SendAsync(Actor("alice"), To("lead", "second"), None);

        var next = await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("second", next.Payload);
        Assert.True(next.Id > inBacklog.Id);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
    }
}
