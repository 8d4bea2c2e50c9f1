using Mesh.Core.Tests;
using Mesh.Hub.Audit;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

public abstract class AuditLogContract : StoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected ManualTimeProvider Clock { get; } = new(T0);

    protected IAuditLog Log { get; set; } = null!;

    private async Task<List<AuditEntry>> MineAsync(int limit = 1000, long? before = null) =>
        (await Log.ListAsync(limit, before, None)).Where(e => e.Actor == Unique).ToList();

    [Fact]
    public async Task Record_ThenList_NewestFirstWithEveryField()
    {
        await Log.RecordAsync(Unique, AuditActions.NodeEnrolled, "node-1", "10.0.0.1", "token abc", None);
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Log.RecordAsync(Unique, AuditActions.NodeRevoked, null, null, null, None);

        var entries = await MineAsync();

        Assert.Equal(2, entries.Count);
        Assert.True(entries[0].Id > entries[1].Id);
        Assert.Equal((T0.AddSeconds(1), AuditActions.NodeRevoked, (string?)null, (string?)null, (string?)null),
            (entries[0].At, entries[0].Action, entries[0].Target, entries[0].Source, entries[0].Details));
        Assert.Equal((T0, AuditActions.NodeEnrolled, "node-1", "10.0.0.1", "token abc"),
            (entries[1].At, entries[1].Action, entries[1].Target, entries[1].Source, entries[1].Details));
    }

    [Fact]
    public async Task List_PagesWithLimitAndBeforeId()
    {
        for (var i = 0; i < 5; i++)
            await Log.RecordAsync(Unique, "test." + i, null, null, null, None);
        var all = await MineAsync();

        var page = await Log.ListAsync(2, all[1].Id, None);

        Assert.Equal([all[2].Id, all[3].Id], page.Select(e => e.Id));
        Assert.Equal(["test.4", "test.3", "test.2", "test.1", "test.0"], all.Select(e => e.Action));
    }

    [Fact]
    public async Task List_Filters_ByWhoActionTargetAndTime_AndPagesWithinTheFilter()
    {
        var other = Unique + "-other";
        await Log.RecordAsync(Unique, AuditActions.NodeEnrolled, Unique + "-n1", null, null, None); // T0
        Clock.Advance(TimeSpan.FromHours(1));
        await Log.RecordAsync(Unique, AuditActions.NodeRevoked, Unique + "-n1", null, null, None); // T0 + 1 h
        await Log.RecordAsync(other, AuditActions.NodeRevoked, Unique + "-n2", null, null, None); // T0 + 1 h
        Clock.Advance(TimeSpan.FromHours(1));
        await Log.RecordAsync(Unique, AuditActions.AgentCreated, Unique + "-a1", null, null, None); // T0 + 2 h

        async Task<string[]> ListAsync(AuditFilter filter, int limit = 1000, long? before = null) =>
            [.. (await Log.ListAsync(limit, before, filter, None)).Where(e => e.Actor.StartsWith(Unique, StringComparison.Ordinal))
                .Select(e => $"{(e.Actor == Unique ? "me" : "other")} {e.Action} {e.Target![(Unique.Length + 1)..]}")];

        Assert.Equal(["me agent.created a1", "me node.revoked n1", "me node.enrolled n1"], await ListAsync(new AuditFilter(By: Unique)));
        Assert.Equal(["other node.revoked n2", "me node.revoked n1"],
            (await ListAsync(new AuditFilter(Action: AuditActions.NodeRevoked))).Where(e => e.EndsWith("n1") || e.EndsWith("n2")));
        Assert.Equal(["me node.revoked n1", "me node.enrolled n1"], await ListAsync(new AuditFilter(Target: Unique + "-n1")));
        Assert.Equal(["me node.revoked n1"], await ListAsync(new AuditFilter(By: Unique, Action: AuditActions.NodeRevoked, Target: Unique + "-n1")));
        Assert.Equal(["me node.revoked n1"], await ListAsync(new AuditFilter(By: Unique, Since: T0.AddMinutes(30), Until: T0.AddHours(2))));
        Assert.Equal(["me agent.created a1"], await ListAsync(new AuditFilter(By: Unique, Since: T0.AddHours(2))));
        Assert.Equal(["me node.enrolled n1"], await ListAsync(new AuditFilter(By: Unique, Until: T0.AddHours(1))));
        Assert.Empty(await ListAsync(new AuditFilter(By: Unique, Action: AuditActions.NodeEnrolled, Since: T0.AddSeconds(1))));

        var mine = await Log.ListAsync(1000, null, new AuditFilter(By: Unique), None);
        Assert.Equal(["me node.enrolled n1"], await ListAsync(new AuditFilter(By: Unique), limit: 5, before: mine[1].Id));
    }
}

public sealed class SqliteAuditLogTests : AuditLogContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenSqliteAsync();

    protected override void CreateStore() => Log = new AuditLog(Sqlite, Clock);
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresAuditLogTests(PostgresServer server) : AuditLogContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    protected override void CreateStore() => Log = new AuditLog(Postgres, Clock);
}
