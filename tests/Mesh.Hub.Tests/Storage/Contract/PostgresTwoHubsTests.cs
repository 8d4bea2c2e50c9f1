using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// Two hubs on one PostgreSQL database (two writers, two connection pools), racing on the same rows: message ids
/// stay in commit order, and a claim, a trigger fire or a schedule fire is won by one of them. SQLite has one hub.
/// </summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresTwoHubsTests(PostgresServer server) : MailboxStoreContract
{
    private PostgresDatabase? _secondDatabase;
    private MailboxParts? _second;

    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    /// <summary>The other hub, opened once this test's actors exist (a hub loads its directory at start).</summary>
    private async Task<MailboxParts> HubBAsync()
    {
        _secondDatabase = new PostgresDatabase(await server.DatabaseAsync(GetType().Name), Schema);
        return _second = await MailboxParts.OpenAsync(_secondDatabase, Clock);
    }

    public override async Task DisposeAsync()
    {
        if (_second is not null)
            await _second.DisposeAsync();
        if (_secondDatabase is not null)
            await _secondDatabase.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Send_FromBothHubs_AReaderFollowingIdsMissesNothing()
    {
        await AddActorsAsync("a", "b", "rx");
        var hubB = await HubBAsync();
        const int PerHub = 400;

        var sends = Enumerable.Range(0, PerHub).SelectMany(i => new[]
        {
            Hub.Messages.SendAsync(Text("a", "rx", "a" + i), None),
            hubB.Messages.SendAsync(Text("b", "rx", "b" + i), None),
        }).ToList();
        // A Watch-like reader: only ever asks for ids after the last one it saw. Ids handed out out of commit order
        // would let a message commit below its cursor, and it would never see that one.
        var seen = new List<ulong>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (seen.Count < 2 * PerHub && !deadline.IsCancellationRequested)
        {
            var page = await Hub.Messages.ReadAsync(new InboxQuery(A("rx"), 500, seen.Count == 0 ? 0 : seen[^1], false, null, null), None);
            seen.AddRange(page.Select(m => m.Id));
            if (page.Count == 0)
                await Task.Delay(5);
        }

        await Task.WhenAll(sends);
        Assert.Equal(2 * PerHub, seen.Count);
        Assert.Equal(2 * PerHub, seen.Distinct().Count());
        Assert.Equal(seen.Order(), seen);
    }

    [Fact]
    public async Task Claim_OneInboxFromBothHubs_EachMessageHandedOutOnce()
    {
        await AddActorsAsync("a", "rx");
        await Hub.Messages.SendManyAsync(Enumerable.Range(0, 300).Select(i => Text("a", "rx", "m" + i)).ToList(), None);
        var hubB = await HubBAsync();

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? Hub : hubB).Messages.ClaimAsync(Inbox("rx", limit: 25), None)));

        var ids = claims.SelectMany(c => c).Select(m => m.Id).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(300, ids.Distinct().Count());
    }

    [Fact]
    public async Task FireTrigger_SameDueOnBothHubs_DeliveredOnce()
    {
        await AddActorsAsync("rx");
        var triggers = new List<Mesh.Core.Protocol.TimeTrigger>();
        for (var i = 0; i < 20; i++)
            triggers.Add(await Hub.Triggers.AddTriggerAsync(new NewTrigger(A("rx"), A("rx"), null, T0, "fire " + i, "trigger", null), None));
        // Hub B starts after the actor exists elsewhere; the trigger's owner is checked in the table either way.
        var hubB = await HubBAsync();

        var fired = await Task.WhenAll(triggers.SelectMany(t => new[]
        {
            Hub.Triggers.FireTriggerAsync(t.Id, t.NextDueUnixMs, null, None),
            hubB.Triggers.FireTriggerAsync(t.Id, t.NextDueUnixMs, null, None),
        }));

        Assert.Equal(20, fired.Count(f => f));
        Assert.Equal(20, await Hub.Messages.CountPendingAsync(A("rx"), None));
        Assert.All(await Task.WhenAll(triggers.Select(t => hubB.Triggers.GetTriggerAsync(t.Id, None))), t => Assert.Equal(1u, t!.FireCount));
    }

    [Fact]
    public async Task ScheduleFire_PlannedAndClaimedOnBothHubs_OnceEach()
    {
        await AddActorsAsync("r1", "r2");
        var hubB = await HubBAsync();
        for (var i = 0; i < 10; i++)
        {
            var s = new ScheduleDefinition(A("s" + i), A("agent"), null, 1_000, ScheduleModes.Single, ScheduleModes.Once, "tick", "schedule", 30_000, T0, T0);
            await Hub.Schedules.CreateAsync(s, None);
            var plans = await Task.WhenAll(
                Hub.Schedules.PlanAsync(s, T0, [(T0, false)], T0.AddSeconds(1), [], None),
                hubB.Schedules.PlanAsync(s, T0, [(T0, false)], T0.AddSeconds(1), [], None));
            var claims = await Task.WhenAll(
                Hub.Schedules.ClaimAsync(s, T0, A("r1"), T0, None),
                hubB.Schedules.ClaimAsync(s, T0, A("r2"), T0, None));
            Assert.Equal(1, plans.Count(p => p));
            Assert.Equal(1, claims.Count(c => c));
        }

        Assert.Equal(10, await Hub.Messages.CountPendingAsync(A("r1"), None) + await Hub.Messages.CountPendingAsync(A("r2"), None));
    }
}
