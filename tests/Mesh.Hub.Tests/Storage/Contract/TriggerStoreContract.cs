using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>Time triggers: add, list, cancel, what is due, and a fire that delivers once per due time across restarts.</summary>
public abstract class TriggerStoreContract : MailboxStoreContract
{
    private NewTrigger OneShot(string actor, TimeSpan after, string message = "wake") =>
        new(A(actor), A(actor), null, Clock.GetUtcNow() + after, message, "trigger", null);

    private async Task<List<ulong>> DueOfThisTestAsync() =>
        (await Hub.Triggers.DueTriggersAsync(Clock.GetUtcNow(), 1000, None)).Where(t => t.ActorId.StartsWith(Unique, StringComparison.Ordinal)).Select(t => t.Id).ToList();

    [Fact]
    public async Task FireTrigger_SameDueTwiceOrAfterReopen_DeliversOnce()
    {
        await AddActorsAsync("bob");
        var trigger = await Hub.Triggers.AddTriggerAsync(OneShot("bob", TimeSpan.FromMinutes(5)), None);
        Clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal([trigger.Id], await DueOfThisTestAsync());
        Assert.True(await Hub.Triggers.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, None));
        Assert.False(await Hub.Triggers.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, None));
        await ReopenAsync();
        Assert.False(await Hub.Triggers.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, None));

        Assert.Empty(await DueOfThisTestAsync());
        var message = Assert.Single(await Hub.Messages.ReadAsync(Inbox("bob", includeDelivered: true), None));
        Assert.Equal(("wake", "trigger", $"trigger:{trigger.Id}:{trigger.NextDueUnixMs}"), (message.Payload, message.Channel, message.IdempotencyKey));
        var stored = (await Hub.Triggers.GetTriggerAsync(trigger.Id, None))!;
        Assert.Equal((TriggerStatus.Done, 1u, Clock.GetUtcNow().ToUnixTimeMilliseconds()), (stored.Status, stored.FireCount, stored.LastFiredUnixMs));
    }

    [Fact]
    public async Task FireTrigger_Cron_MovesToTheNextDueTimeAndStaysActive()
    {
        await AddActorsAsync("bob");
        var trigger = await Hub.Triggers.AddTriggerAsync(new NewTrigger(A("bob"), A("bob"), "* * * * *", Clock.GetUtcNow(), "tick", "trigger", "run-1"), None);
        var next = trigger.NextDueUnixMs + 60_000;

        Assert.True(await Hub.Triggers.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, next, None));

        var stored = (await Hub.Triggers.GetTriggerAsync(trigger.Id, None))!;
        Assert.Equal((TriggerStatus.Active, next, "* * * * *", "run-1"), (stored.Status, stored.NextDueUnixMs, stored.Cron, stored.RunId));
        Assert.Equal("run-1", Assert.Single(await Hub.Messages.ReadAsync(Inbox("bob"), None)).RunId);
        Assert.True(await Hub.Triggers.NextDueAsync(None) <= DateTimeOffset.FromUnixTimeMilliseconds(next));
    }

    [Fact]
    public async Task FireTrigger_ActorDeleted_TriggerCancelledNothingStored()
    {
        await AddActorsAsync("bob");
        var trigger = await Hub.Triggers.AddTriggerAsync(new NewTrigger(A("bob"), A("bob"), "* * * * *", Clock.GetUtcNow().AddMinutes(-1), "tick", "trigger", null), None);
        await Hub.Actors.DeleteActorAsync(A("bob"), None);

        Assert.False(await Hub.Triggers.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, trigger.NextDueUnixMs + 60_000, None));

        Assert.Equal(TriggerStatus.Cancelled, (await Hub.Triggers.GetTriggerAsync(trigger.Id, None))!.Status);
        Assert.Equal(0, await Hub.Messages.CountPendingAsync(A("bob"), None));
    }

    [Fact]
    public async Task Cancel_ThenList_OnlyWithInactive_AndASecondCancelIsRefused()
    {
        await AddActorsAsync("bob", "carol");
        var first = await Hub.Triggers.AddTriggerAsync(OneShot("bob", TimeSpan.FromMinutes(1), "one"), None);
        var second = await Hub.Triggers.AddTriggerAsync(OneShot("bob", TimeSpan.FromMinutes(2), "two"), None);
        await Hub.Triggers.AddTriggerAsync(OneShot("carol", TimeSpan.FromMinutes(3)), None);

        var cancelled = await Hub.Triggers.CancelTriggerAsync(first.Id, None);
        var again = await Assert.ThrowsAsync<MailboxException>(() => Hub.Triggers.CancelTriggerAsync(first.Id, None));
        var unknown = await Assert.ThrowsAsync<MailboxException>(() => Hub.Triggers.CancelTriggerAsync(ulong.MaxValue / 4, None));

        Assert.Equal((TriggerStatus.Cancelled, 0L), (cancelled.Status, cancelled.NextDueUnixMs));
        Assert.Equal((MailboxError.FailedPrecondition, MailboxError.NotFound), (again.Error, unknown.Error));
        Assert.Equal([second.Id], (await Hub.Triggers.ListTriggersAsync(A("bob"), false, None)).Select(t => t.Id));
        Assert.Equal([first.Id, second.Id], (await Hub.Triggers.ListTriggersAsync(A("bob"), true, None)).Select(t => t.Id));
        Assert.Equal(3, (await Hub.Triggers.ListTriggersAsync(null, true, None)).Count(t => t.ActorId.StartsWith(Unique, StringComparison.Ordinal)));
    }
}

public sealed class SqliteTriggerStoreTests : TriggerStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresTriggerStoreTests(PostgresServer server) : TriggerStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);
}
