using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox;

public sealed class MailboxServiceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<StoreHarness> TeamAsync(MailboxOptions? options = null)
    {
        var h = await OpenAsync(options: options);
        await h.Service.CreateActorAsync("lead", "Lead", "t1", "lead", null, None);
        await h.Service.CreateActorAsync("alice", null, "t1", "worker", null, None);
        await h.Service.CreateActorAsync("rev", null, "t1", "reviewer", null, None);
        await h.Service.CreateActorAsync("remote", null, "t1", "worker", "node-a", None);
        await h.Service.CreateActorAsync("loner", null, null, null, null, None);
        return h;
    }

    private static SendRequest To(string actor, string text, string from = "") => new() { ActorId = from, ToActorId = actor, Payload = text };

    private static async Task<MailboxError> RefusedAsync(Func<Task> action) => (await Assert.ThrowsAsync<MailboxException>(action)).Error;

    [Fact]
    public async Task ActorToken_ActingAsAnotherActor_PermissionDenied()
    {
        await using var h = await TeamAsync();
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.InboxAsync(Actor("alice"), new InboxRequest { ActorId = "lead" }, None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), To("lead", "x", from: "rev"), None)));
        var own = await h.Service.InboxAsync(Actor("alice"), new InboxRequest { ActorId = "alice" }, None);
        Assert.Empty(own.Messages);
    }

    [Fact]
    public async Task RootToken_ActsForAnyActor_AndMustNameOneToRead()
    {
        await using var h = await TeamAsync();
        var sent = await h.Service.SendAsync(Root, To("alice", "from alice's lead", from: "lead"), None);
        var inbox = await h.Service.InboxAsync(Root, new InboxRequest { ActorId = "alice" }, None);
        Assert.Equal(sent.MessageId, Assert.Single(inbox.Messages).Id);
        Assert.Equal("lead", inbox.Messages[0].FromActorId);
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.InboxAsync(Root, new InboxRequest(), None)));
        var asRoot = await h.Service.SendAsync(Root, To("alice", "from root"), None);
        Assert.False(asRoot.Duplicate);
    }

    [Fact]
    public async Task NodeSignedActorToken_FromANodeCalledHub_CannotActForHubPlacedActors()
    {
        await using var h = await TeamAsync();

        // Placement "hub" is the hub itself, never a node id: a token signed by a node's key, whatever its id, does not reach it.
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.InboxAsync(Actor("alice", node: "hub"), new InboxRequest(), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.SendAsync(Actor("alice", node: "hub"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.InboxAsync(NodeCaller("hub"), new InboxRequest { ActorId = "alice" }, None)));
    }

    [Fact]
    public async Task NodeSignedActorToken_OnlyForActorsPlacedOnThatNode()
    {
        await using var h = await TeamAsync();
        await h.Service.SendAsync(Actor("remote", node: "node-a"), To("lead", "hi from node-a"), None);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.SendAsync(Actor("remote", node: "node-b"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.InboxAsync(Actor("alice", node: "node-a"), new InboxRequest(), None)));
    }

    [Fact]
    public async Task NodeToken_ActsOnlyForActorsPlacedOnIt()
    {
        await using var h = await TeamAsync();
        var read = await h.Service.InboxAsync(NodeCaller("node-a"), new InboxRequest { ActorId = "remote" }, None);
        Assert.Empty(read.Messages);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.InboxAsync(NodeCaller("node-a"), new InboxRequest { ActorId = "alice" }, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.InboxAsync(NodeCaller("node-a"), new InboxRequest(), None)));
    }

    [Fact]
    public async Task Send_BadInput_PreciseRefusals()
    {
        await using var h = await TeamAsync(new MailboxOptions { MaxPayloadBytes = 16 });
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), To("ghost", "x"), None)));
        Assert.Equal(MailboxError.ResourceExhausted, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), To("lead", new string('é', 9)), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "{nope", PayloadKind = PayloadKind.Json }, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), new SendRequest { Payload = "no target" }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.SendAsync(Actor("ghost"), To("lead", "x"), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "x", IdempotencyKey = new string('k', 300) }, None)));
    }

    [Fact]
    public async Task Send_DuplicateIdempotencyKey_ReturnsOriginalId()
    {
        await using var h = await TeamAsync();
        var first = await h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "a", IdempotencyKey = "k" }, None);
        var second = await h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "b", IdempotencyKey = "k" }, None);
        Assert.True(second.Duplicate);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(1ul, (await h.Service.InboxAsync(Actor("lead"), new InboxRequest(), None)).PendingCount);
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
        var response = await h.Service.SendBatchAsync(Actor("alice"), request, None);
        var r = response.Results;
        Assert.Equal(6, r.Count);
        Assert.True(r[0].Response.MessageId > 0);
        Assert.Equal("NOT_FOUND", r[1].ErrorCode);
        Assert.Equal("RESOURCE_EXHAUSTED", r[2].ErrorCode);
        Assert.True(r[3].Response.Duplicate);
        Assert.Equal(r[0].Response.MessageId, r[3].Response.MessageId);
        Assert.Equal(3, r[4].Response.MessageIds.Count);
        Assert.Equal("PERMISSION_DENIED", r[5].ErrorCode);
        var lead = await h.Service.InboxAsync(Actor("lead"), new InboxRequest(), None);
        Assert.Equal(["one", "all"], lead.Messages.Select(m => m.Payload).ToArray());
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.SendBatchAsync(Actor("alice"), new SendBatchRequest(), None)));
    }

    [Fact]
    public async Task TeamChannel_FansOutToMembersButSender_AndOnlyMembersPost()
    {
        await using var h = await TeamAsync();
        var sent = await h.Service.SendAsync(Actor("alice"), new SendRequest { TeamId = "t1", Payload = "standup" }, None);
        Assert.Equal(["lead", "remote", "rev"], sent.Recipients.Order().ToArray());
        Assert.Equal(3, sent.MessageIds.Distinct().Count());
        Assert.Empty((await h.Service.InboxAsync(Actor("alice"), new InboxRequest(), None)).Messages);
        Assert.Equal("t1", Assert.Single((await h.Service.InboxAsync(Actor("rev"), new InboxRequest(), None)).Messages).TeamId);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.SendAsync(Actor("loner"), new SendRequest { TeamId = "t1", Payload = "x" }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.SendAsync(Root, new SendRequest { TeamId = "nope", Payload = "x" }, None)));
    }

    [Fact]
    public async Task Inbox_AutoAckAndFilters()
    {
        await using var h = await TeamAsync();
        await h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "r1", RunId = "run-1" }, None);
        await h.Service.SendAsync(Actor("alice"), new SendRequest { ToActorId = "lead", Payload = "r2", RunId = "run-2", Channel = "ops" }, None);
        var run1 = await h.Service.InboxAsync(Actor("lead"), new InboxRequest { RunId = "run-1" }, None);
        Assert.Equal("r1", Assert.Single(run1.Messages).Payload);
        var ops = await h.Service.InboxAsync(Actor("lead"), new InboxRequest { Channel = "ops", AutoAck = true }, None);
        Assert.Equal("r2", Assert.Single(ops.Messages).Payload);
        Assert.Equal(1ul, ops.PendingCount);
        var all = await h.Service.InboxAsync(Actor("lead"), new InboxRequest { IncludeDelivered = true }, None);
        Assert.Equal(2, all.Messages.Count);
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.InboxAsync(Actor("lead"), new InboxRequest { Limit = 5000 }, None)));
    }

    [Fact]
    public async Task Ack_AnotherActorsMessage_PermissionDenied()
    {
        await using var h = await TeamAsync();
        var sent = await h.Service.SendAsync(Actor("alice"), To("lead", "x"), None);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.AckAsync(Actor("rev"), new AckRequest { MessageIds = { sent.MessageId } }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.AckAsync(Actor("lead"), new AckRequest { MessageIds = { 424242 } }, None)));
        Assert.Equal(1u, (await h.Service.AckAsync(Actor("lead"), new AckRequest { MessageIds = { sent.MessageId } }, None)).Acked);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(2_592_001L)]
    public async Task TriggerDelay_OutOfRange_InvalidArgument(long seconds)
    {
        await using var h = await TeamAsync();
        var error = await Assert.ThrowsAsync<MailboxException>(() => h.Service.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { DelaySeconds = seconds, Message = "m" }, None));
        Assert.Equal(MailboxError.InvalidArgument, error.Error);
        Assert.Contains("1 to 2592000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("* * *")]
    [InlineData("99 * * * *")]
    [InlineData("0 0 31 feb *")]
    public async Task TriggerCron_Malformed_InvalidArgument(string cron)
    {
        await using var h = await TeamAsync();
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { Cron = cron, Message = "m" }, None)));
    }

    [Fact]
    public async Task Triggers_ListAndCancel_OwnOnly()
    {
        await using var h = await TeamAsync();
        var mine = await h.Service.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { DelaySeconds = 60, Message = "m" }, None);
        var cron = await h.Service.TimeTriggerSetAsync(Actor("lead"), new TimeTriggerSetRequest { Cron = "0 9 * * mon", Message = "weekly" }, None);
        Assert.Equal(mine.Id, Assert.Single((await h.Service.TimeTriggerListAsync(Actor("alice"), new TimeTriggerListRequest(), None)).Triggers).Id);
        Assert.Equal(2, (await h.Service.TimeTriggerListAsync(Root, new TimeTriggerListRequest(), None)).Triggers.Count);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = cron.Id }, None)));
        Assert.Equal(TriggerStatus.Cancelled, (await h.Service.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = mine.Id }, None)).Status);
        Assert.Equal(MailboxError.FailedPrecondition, await RefusedAsync(() => h.Service.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = mine.Id }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.TimeTriggerCancelAsync(Root, new TimeTriggerCancelRequest { TriggerId = 999 }, None)));
    }

    [Fact]
    public async Task Review_ReviewerAnswers_AskerNotifiedAndWaitReturns()
    {
        await using var h = await TeamAsync();
        var review = await h.Service.PermissionRequestAsync(Actor("alice"), Ask("push to main?"), None);
        Assert.Equal(["rev"], review.Reviewers);
        var notice = Assert.Single((await h.Service.InboxAsync(Actor("rev"), new InboxRequest { Channel = MailboxService.PermissionChannel }, None)).Messages);
        Assert.Contains("\"permission_id\":" + review.Id, notice.Payload, StringComparison.Ordinal);

        var wait = h.Service.PermissionWaitAsync(Actor("alice"), new PermissionWaitRequest { PermissionId = review.Id }, TimeSpan.FromSeconds(30), None);
        Assert.False(wait.IsCompleted);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.PermissionRespondAsync(Actor("lead"), Respond(review.Id, "allow"), None)));
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Service.PermissionRespondAsync(Actor("alice"), Respond(review.Id, "allow"), None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.PermissionRespondAsync(Actor("rev"), Respond(review.Id, "maybe"), None)));
        var answered = await h.Service.PermissionRespondAsync(Actor("rev"), Respond(review.Id, "allow"), None);
        Assert.Equal("allow", answered.OptionId);
        var waited = await wait.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ReviewStatus.Answered, waited.Status);
        Assert.Equal(MailboxError.FailedPrecondition, await RefusedAsync(() => h.Service.PermissionRespondAsync(Root, Respond(review.Id, "deny"), None)));
        var answerNotice = Assert.Single((await h.Service.InboxAsync(Actor("alice"), new InboxRequest { Channel = MailboxService.PermissionChannel }, None)).Messages);
        Assert.Contains("\"option_id\":\"allow\"", answerNotice.Payload, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Review_AskerMayCancel_RootMayAnswerAny_ListIsScoped()
    {
        await using var h = await TeamAsync();
        var first = await h.Service.PermissionRequestAsync(Actor("alice"), Ask("one"), None);
        var second = await h.Service.PermissionRequestAsync(Actor("loner"), Ask("two"), None);
        Assert.Empty(second.Reviewers);
        Assert.Equal(ReviewStatus.Cancelled, (await h.Service.PermissionRespondAsync(Actor("alice"), new PermissionRespondRequest { PermissionId = first.Id, Cancel = true }, None)).Status);
        Assert.Equal(ReviewStatus.Answered, (await h.Service.PermissionRespondAsync(Root, Respond(second.Id, "deny"), None)).Status);
        Assert.Empty((await h.Service.PermissionListAsync(Actor("rev"), new PermissionListRequest(), None)).Reviews);
        Assert.Single((await h.Service.PermissionListAsync(Actor("rev"), new PermissionListRequest { IncludeClosed = true }, None)).Reviews);
        Assert.Equal(2, (await h.Service.PermissionListAsync(Root, new PermissionListRequest { IncludeClosed = true }, None)).Reviews.Count);
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.PermissionRespondAsync(Root, Respond(999, "allow"), None)));
    }

    [Theory]
    [InlineData("", "allow")]
    [InlineData("title", "")]
    [InlineData("title", "bad id!")]
    public async Task Review_BadRequest_InvalidArgument(string title, string optionId)
    {
        await using var h = await TeamAsync();
        var request = new PermissionRequestRequest { Title = title };
        if (optionId.Length > 0)
            request.Options.Add(new PermissionOption { Id = optionId, Label = "L" });
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.PermissionRequestAsync(Actor("alice"), request, None)));
    }

    [Fact]
    public async Task Watch_SendsBacklogThenLiveMessagesInOrder()
    {
        await using var h = await TeamAsync();
        var old = await h.Service.SendAsync(Actor("alice"), To("lead", "old"), None);
        var seen = Channel.CreateUnbounded<MailboxMessage>();
        using var stop = new CancellationTokenSource();
        var watch = h.Service.WatchAsync(Actor("lead"), new WatchRequest(), (m, _, _) => { seen.Writer.TryWrite(m); return ValueTask.CompletedTask; }, stop.Token);
        Assert.Equal("old", (await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Payload);
        for (var i = 0; i < 20; i++)
            await h.Service.SendAsync(Actor("alice"), To("lead", "live " + i), None);
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
        await h.Service.SendAsync(Actor("alice"), To("lead", "first"), None);
        var inBacklog = (await h.Service.InboxAsync(Actor("lead"), new InboxRequest(), None)).Messages.Single();
        var seen = Channel.CreateUnbounded<MailboxMessage>();
        using var stop = new CancellationTokenSource();
        var watch = h.Service.WatchAsync(Actor("lead"), new WatchRequest(), (m, _, _) => { seen.Writer.TryWrite(m); return ValueTask.CompletedTask; }, stop.Token,
            ready: () =>
            {
                h.Notifier.Publish([inBacklog]);
                return Task.CompletedTask;
            });
        Assert.Equal("first", (await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Payload);

        await h.Service.SendAsync(Actor("alice"), To("lead", "second"), None);

        var next = await seen.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("second", next.Payload);
        Assert.True(next.Id > inBacklog.Id);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
    }

    [Fact]
    public async Task CreateActor_BadInput_Refused()
    {
        await using var h = await TeamAsync();
        Assert.Equal(MailboxError.AlreadyExists, await RefusedAsync(() => h.Service.CreateActorAsync("alice", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.CreateActorAsync("a", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.CreateActorAsync("root", null, null, null, null, None)));
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Service.CreateActorAsync("bob", null, "t1", "boss", null, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Service.DeleteActorAsync("ghost", None)));
        await h.Service.DeleteActorAsync("loner", None);
        Assert.Null(h.Store.FindActor("loner"));
    }

    private static PermissionRequestRequest Ask(string title) => new()
    {
        Title = title,
        Options = { new PermissionOption { Id = "allow", Label = "Allow" }, new PermissionOption { Id = "deny", Label = "Deny" } },
    };

    private static PermissionRespondRequest Respond(ulong id, string option) => new() { PermissionId = id, OptionId = option };
}
