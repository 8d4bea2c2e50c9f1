using System.Threading.Channels;
using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Tests.Mailbox.Support;
using static Mesh.Hub.Tests.Mailbox.Support.MailboxTestData;
using static Mesh.Hub.Tests.Mailbox.Support.StoreHarness;

namespace Mesh.Hub.Tests.Mailbox.Triggers;

public sealed class TriggerServiceTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(2_592_001L)]
    public async Task TriggerDelay_OutOfRange_InvalidArgument(long seconds)
    {
        await using var h = await TeamAsync();
        var error = await Assert.ThrowsAsync<MailboxException>(() => h.Triggers.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { DelaySeconds = seconds, Message = "m" }, None));
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
        Assert.Equal(MailboxError.InvalidArgument, await RefusedAsync(() => h.Triggers.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { Cron = cron, Message = "m" }, None)));
    }

    [Fact]
    public async Task Triggers_ListAndCancel_OwnOnly()
    {
        await using var h = await TeamAsync();
        var mine = await h.Triggers.TimeTriggerSetAsync(Actor("alice"), new TimeTriggerSetRequest { DelaySeconds = 60, Message = "m" }, None);
        var cron = await h.Triggers.TimeTriggerSetAsync(Actor("lead"), new TimeTriggerSetRequest { Cron = "0 9 * * mon", Message = "weekly" }, None);
        Assert.Equal(mine.Id, Assert.Single((await h.Triggers.TimeTriggerListAsync(Actor("alice"), new TimeTriggerListRequest(), None)).Triggers).Id);
        Assert.Equal(2, (await h.Triggers.TimeTriggerListAsync(Root, new TimeTriggerListRequest(), None)).Triggers.Count);
        Assert.Equal(MailboxError.PermissionDenied, await RefusedAsync(() => h.Triggers.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = cron.Id }, None)));
        Assert.Equal(TriggerStatus.Cancelled, (await h.Triggers.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = mine.Id }, None)).Status);
        Assert.Equal(MailboxError.FailedPrecondition, await RefusedAsync(() => h.Triggers.TimeTriggerCancelAsync(Actor("alice"), new TimeTriggerCancelRequest { TriggerId = mine.Id }, None)));
        Assert.Equal(MailboxError.NotFound, await RefusedAsync(() => h.Triggers.TimeTriggerCancelAsync(Root, new TimeTriggerCancelRequest { TriggerId = 999 }, None)));
    }
}
