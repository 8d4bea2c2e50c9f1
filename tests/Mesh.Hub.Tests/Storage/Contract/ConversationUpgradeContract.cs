using Mesh.Core.Tests;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// A database an older hub left (conversation routes in their own table) upgraded by this one: mailbox-003 adds the
/// conversation columns to the messages, conversations-002 moves each recorded route onto its message and drops the table.
/// </summary>
public abstract class ConversationUpgradeContract : IAsyncLifetime
{
    private static readonly string[] NewSteps = ["mailbox-003", "conversations-002"];

    protected abstract Task<IHubDatabase> OpenAsync(IMigrationSource[] schema);

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RoutesRecordedByAnOlderHub_MoveOntoTheirMessages_AndReadBackAsTheNewHubWritesThem()
    {
        var older = await OpenAsync([.. StoreContract.Schema.Select(s => new WithoutSteps(s, NewSteps))]);
        Assert.DoesNotContain("mailbox-003", await older.MigrateAsync(CancellationToken.None));
        await using (var connection = await older.OpenConnectionAsync(CancellationToken.None))
        {
            foreach (var (id, payload) in new[] { (1L, "first"), (2L, "moved"), (3L, "plain") })
            {
                await connection.Command("""
                    INSERT INTO mailbox_messages (id, from_actor, to_actor, channel, payload, payload_kind, created_at, status)
                    VALUES (@id, 'sender', @to, 'default', @p, 1, 1000, 0)
                    """).With("id", id).With("to", id == 1 ? "agent" : "agent-r2").With("p", payload).ExecuteNonQueryAsync();
            }

            await connection.Command("""
                INSERT INTO conversation_routes (message_id, agent_id, conversation_id, replica, moved_from, routed_at)
                VALUES (1, 'agent', 'c1', 'agent', NULL, 1000), (2, 'agent', 'c1', 'agent-r2', 'agent', 1000)
                """).ExecuteNonQueryAsync();
        }

        await DisposeDatabaseAsync(older);
        var current = await OpenAsync(StoreContract.Schema);

        Assert.Equal(NewSteps, await current.MigrateAsync(CancellationToken.None));
        await using var parts = await MailboxParts.OpenAsync(current, TimeProvider.System);
        var read = (await parts.Messages.ReadLatestAsync("agent", 10, CancellationToken.None))
            .Concat(await parts.Messages.ReadLatestAsync("agent-r2", 10, CancellationToken.None)).OrderBy(m => m.Id);
        var expectedNotice = new Mesh.Hub.Mailbox.Messages.AgentRoute("agent", "agent-r2", "c1", "agent", "for the sender").RecipientNotice;
        Assert.Equal([("first", "c1", ""), ("moved", "c1", expectedNotice!), ("plain", "", "")],
            read.Select(m => (m.Payload, m.ConversationId, m.AffinityNotice)));
        await using var check = await current.OpenConnectionAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => check.Command("SELECT count(*) FROM conversation_routes").ExecuteScalarAsync());
        await DisposeDatabaseAsync(current);
    }

    private static async Task DisposeDatabaseAsync(IHubDatabase database)
    {
        if (database is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
    }

    /// <summary>A capability's schema without the given steps: what an older Mesh applied.</summary>
    private sealed class WithoutSteps(IMigrationSource source, string[] hidden) : IMigrationSource
    {
        public IEnumerable<Migration> Migrations => source.Migrations.Where(m => !hidden.Contains(m.Id));

        public IEnumerable<Migration> PostgresMigrations => source.PostgresMigrations.Where(m => !hidden.Contains(m.Id));
    }
}

public sealed class SqliteConversationUpgradeTests : ConversationUpgradeContract
{
    private readonly TempDirectory _dir = new();

    protected override Task<IHubDatabase> OpenAsync(IMigrationSource[] schema) =>
        Task.FromResult<IHubDatabase>(new HubDatabase(Path.Combine(_dir.Path, "mesh.db"), schema));

    public override Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

[Collection(PostgresServer.Collection)]
public sealed class PostgresConversationUpgradeTests(PostgresServer server) : ConversationUpgradeContract
{
    protected override async Task<IHubDatabase> OpenAsync(IMigrationSource[] schema) =>
        new PostgresDatabase(await server.DatabaseAsync(nameof(PostgresConversationUpgradeTests)), schema);
}
