using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>The mailbox writer's one PostgreSQL connection lost under it (a server restart or failover ends every session).</summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresMailboxWriterTests(PostgresServer server) : MailboxStoreContract
{
    protected override Task<IHubDatabase> OpenAsync() => OpenPostgresAsync(server);

    [Fact]
    public async Task Send_AfterTheServerEndedTheWritersSession_StoredOnANewConnection()
    {
        await AddActorsAsync("a", "b");
        var before = await Hub.Messages.SendAsync(Text("a", "b", "before"), None);

        await using (var admin = new PostgresDatabase(server.Config("postgres"), []))
        await using (var connection = await admin.OpenAsync(None))
        await using (var kill = connection.Command("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()")
                         .With("db", (await server.DatabaseAsync(GetType().Name)).Database))
            Assert.True((long)(await kill.ExecuteScalarAsync(None))! >= 1);

        var after = await Hub.Messages.SendAsync(Text("a", "b", "after"), None);

        Assert.True(after.MessageIds[0] > before.MessageIds[0]);
        Npgsql.NpgsqlConnection.ClearAllPools(); // the readers' pooled sessions were ended too
        Assert.Equal(["before", "after"], (await Hub.Messages.ReadAsync(Inbox("b"), None)).Select(m => m.Payload));
    }
}
