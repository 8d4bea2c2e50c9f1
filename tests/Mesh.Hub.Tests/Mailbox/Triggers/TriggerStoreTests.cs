using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Triggers;

public sealed class TriggerStoreTests
{
    [Fact]
    public async Task FireTrigger_SameDueTwiceOrAfterReopen_DeliversOnce()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var first = await StoreHarness.OpenAsync(time: clock);
        await AddActorsAsync(first, "bob");
        var trigger = await first.TriggerStore.AddTriggerAsync(new NewTrigger("bob", "bob", null, clock.GetUtcNow().AddMinutes(5), "wake", "trigger", null), CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Single(await first.TriggerStore.DueTriggersAsync(clock.GetUtcNow(), 10, CancellationToken.None));
        Assert.True(await first.TriggerStore.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, CancellationToken.None));
        Assert.False(await first.TriggerStore.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, CancellationToken.None));

        await using var second = await first.ReopenAsync(time: clock);
        Assert.False(await second.TriggerStore.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, null, CancellationToken.None));
        Assert.Empty(await second.TriggerStore.DueTriggersAsync(clock.GetUtcNow(), 10, CancellationToken.None));
        var inbox = await second.MessageStore.ReadAsync(new InboxQuery("bob", 10, 0, true, null, null), CancellationToken.None);
        Assert.Equal("wake", Assert.Single(inbox).Payload);
        var stored = await second.TriggerStore.GetTriggerAsync(trigger.Id, CancellationToken.None);
        Assert.Equal(TriggerStatus.Done, stored!.Status);
        Assert.Equal(1u, stored.FireCount);
    }

    [Fact]
    public async Task FireTrigger_ActorDeleted_TriggerCancelledNothingStored()
    {
        await using var h = await StoreHarness.OpenAsync();
        await AddActorsAsync(h, "bob");
        var trigger = await h.TriggerStore.AddTriggerAsync(new NewTrigger("bob", "bob", "* * * * *", DateTimeOffset.UtcNow.AddMinutes(-1), "tick", "trigger", null), CancellationToken.None);
        await h.Actors.DeleteActorAsync("bob", CancellationToken.None);
        Assert.False(await h.TriggerStore.FireTriggerAsync(trigger.Id, trigger.NextDueUnixMs, trigger.NextDueUnixMs + 60_000, CancellationToken.None));
        Assert.Equal(TriggerStatus.Cancelled, (await h.TriggerStore.GetTriggerAsync(trigger.Id, CancellationToken.None))!.Status);
        Assert.Equal(0, await h.MessageStore.CountPendingAsync("bob", CancellationToken.None));
    }
}
