using Mesh.Core.Protocol;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>Schedules: definitions, planning a fire once, claims of a single fire (one replica, another after the lease), cluster delivery, acks.</summary>
public abstract class ScheduleStoreContract : MailboxStoreContract
{
    protected ScheduleDefinition Schedule(string mode = ScheduleModes.Single, long leaseMs = 30_000) =>
        new(A("every-5s"), A("agent"), null, 5_000, mode, ScheduleModes.Once, "tick", "schedule", leaseMs, T0, T0);

    protected Task<bool> PlanFirstAsync(ScheduleDefinition s, params string[] recipients) =>
        Hub.Schedules.PlanAsync(s, s.NextFire, [(s.NextFire, false)], s.NextFire.AddSeconds(5), recipients.Select(A).ToList(), None);

    [Fact]
    public async Task Create_ThenList_IdUsedEvenAfterDelete()
    {
        var schedule = Schedule();
        await Hub.Schedules.CreateAsync(schedule, None);

        Assert.Equal([schedule], await Hub.Schedules.ListAsync(A("agent"), None));
        Assert.Equal(1, await Hub.Schedules.DeleteAsync(A("agent"), schedule.Id, None));
        Assert.Equal(0, await Hub.Schedules.DeleteAsync(A("agent"), schedule.Id, None));
        Assert.Empty(await Hub.Schedules.ListAsync(A("agent"), None));
        Assert.True(await Hub.Schedules.IdUsedAsync(schedule.Id, None));
        Assert.False(await Hub.Schedules.IdUsedAsync(A("never"), None));
    }

    [Fact]
    public async Task Plan_SameExpectedNextTwice_SecondLoses()
    {
        var schedule = Schedule();
        await Hub.Schedules.CreateAsync(schedule, None);

        Assert.True(await PlanFirstAsync(schedule));
        Assert.False(await PlanFirstAsync(schedule));

        Assert.Equal(T0.AddSeconds(5), Assert.Single(await Hub.Schedules.ListAsync(A("agent"), None)).NextFire);
        Assert.DoesNotContain(await Hub.Schedules.DueAsync(T0.AddSeconds(1), None), s => s.Id == schedule.Id);
        var fire = Assert.Single(await Hub.Schedules.RecentFiresAsync(schedule.Id, 10, None));
        Assert.Equal((FireStates.Open, T0, 0), (fire.State, fire.FireTime, fire.Attempts));
    }

    [Fact]
    public async Task Claim_SingleFire_OneReplicaOnce_AnotherAfterTheLease_ThenAcked()
    {
        var schedule = Schedule(leaseMs: 10_000);
        await AddActorsAsync("r1", "r2");
        await Hub.Schedules.CreateAsync(schedule, None);
        await PlanFirstAsync(schedule);

        Assert.True(await Hub.Schedules.ClaimAsync(schedule, T0, A("r1"), T0, None));
        Assert.False(await Hub.Schedules.ClaimAsync(schedule, T0, A("r2"), T0.AddSeconds(5), None)); // lease held
        Assert.True(await Hub.Schedules.ClaimAsync(schedule, T0, A("r2"), T0.AddSeconds(11), None)); // lease ran out
        Assert.False(await Hub.Schedules.ClaimAsync(schedule, T0, A("r1"), T0.AddSeconds(30), None)); // never twice to r1

        var toR2 = Assert.Single(await Hub.Messages.ReadAsync(Inbox("r2"), None));
        Assert.Equal(("schedule:" + schedule.Id, "tick", schedule.Key(T0)), (toR2.FromActorId, toR2.Payload, toR2.IdempotencyKey));
        await Hub.Messages.AckAsync(A("r2"), [toR2.Id], None);
        Assert.True(await Hub.Schedules.RecordAcksAsync(None) >= 1);
        var fire = Assert.Single(await Hub.Schedules.RecentFiresAsync(schedule.Id, 10, None));
        Assert.Equal((FireStates.Acked, A("r2"), (long)toR2.Id, 2), (fire.State, fire.Replica, fire.MessageId, fire.Attempts));
        Assert.Equal([A("r1"), A("r2")], fire.DeliveredTo.Order());
        Assert.DoesNotContain(fire, await Hub.Schedules.ClaimableAsync(T0.AddMinutes(5), None));
    }

    [Fact]
    public async Task LastFireByRun_NewestDeliveryPerRunOverTheAgentsLiveSchedules()
    {
        var cluster = Schedule(ScheduleModes.Cluster);
        var single = Schedule() with { Id = A("single") };
        var other = Schedule() with { Id = A("other-agent"), AgentId = A("someone-else"), NextFire = T0.AddMinutes(1) };
        await AddActorsAsync("r1", "r2");
        foreach (var s in new[] { cluster, single, other })
            await Hub.Schedules.CreateAsync(s, None);
        await PlanFirstAsync(cluster, "r1", "r2");
        await Hub.Schedules.PlanAsync(cluster, T0.AddSeconds(5), [(T0.AddSeconds(5), false)], T0.AddSeconds(10), [A("r2")], None);
        await PlanFirstAsync(single);
        await Hub.Schedules.ClaimAsync(single, T0, A("r1"), T0, None);
        await PlanFirstAsync(other);
        await Hub.Schedules.ClaimAsync(other, T0.AddMinutes(1), A("r1"), T0.AddMinutes(1), None);

        var last = await Hub.Schedules.LastFireByRunAsync(A("agent"), None);

        Assert.Equal([(A("r1"), T0), (A("r2"), T0.AddSeconds(5))], last.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)));
        await Hub.Schedules.DeleteAsync(A("agent"), null, None);
        Assert.Empty(await Hub.Schedules.LastFireByRunAsync(A("agent"), None));
    }

    [Fact]
    public async Task Plan_ClusterFire_DeliversToEveryRecipientOnce()
    {
        var schedule = Schedule(ScheduleModes.Cluster);
        await AddActorsAsync("r1", "r2");
        await Hub.Schedules.CreateAsync(schedule, None);

        Assert.True(await PlanFirstAsync(schedule, "r1", "r2"));

        foreach (var replica in new[] { "r1", "r2" })
            Assert.Equal(MessageStatus.Pending, Assert.Single(await Hub.Messages.ReadAsync(Inbox(replica), None)).Status);
        var fire = Assert.Single(await Hub.Schedules.RecentFiresAsync(schedule.Id, 10, None));
        Assert.Equal(FireStates.Delivered, fire.State);
        Assert.Equal([A("r1"), A("r2")], fire.DeliveredTo.Order());
    }

    [Fact]
    public async Task MarkAlive_ReturnsTheTimeBefore()
    {
        await Hub.Schedules.MarkAliveAsync(T0, None);

        Assert.Equal(T0, await Hub.Schedules.MarkAliveAsync(T0.AddSeconds(1), None));
        Assert.Equal(T0.AddSeconds(1), await Hub.Schedules.MarkAliveAsync(T0.AddSeconds(2), None));
    }
}

public sealed class SqliteScheduleStoreTests : ScheduleStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresScheduleStoreTests(PostgresServer server) : ScheduleStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);
}
