using Mesh.Core.Tests;
using Mesh.Hub.Access;
using Mesh.Hub.Agents;
using Mesh.Hub.Audit;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Support;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// The base of every store contract class: one abstract class per store states the behaviour, and two sealed
/// classes run it, one on a real SQLite file (fresh per test) and one on the shared real PostgreSQL server (a
/// database per test class, so tests use their own ids). The whole schema is applied, as a hub would.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
{
    private TempDirectory? _dir;

    /// <summary>Times the backends keep exactly (PostgreSQL's timestamptz has microseconds; SQLite text has 100 ns).</summary>
    protected static readonly DateTimeOffset T0 = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    protected IHubDatabase Database { get; private set; } = null!;

    /// <summary>A prefix that makes this test's ids its own within the class's database.</summary>
    protected string Unique { get; } = Guid.NewGuid().ToString("N")[..8];

    public static IMigrationSource[] Schema =>
        [new Mesh.Hub.Storage.StorageMigrations(), new AuditMigrations(), new RegistryMigrations(), new RevocationMigrations(), new JoinMigrations(), new MailboxMigrations(), new ScheduleMigrations(), new AgentMigrations(), new AccountMigrations(), new Mesh.Hub.Agents.Conversations.ConversationMigrations(), new Mesh.Hub.Agents.Codebases.CodebaseMigrations()];

    public async Task InitializeAsync()
    {
        Database = await OpenAsync();
        await Database.MigrateAsync(CancellationToken.None);
        CreateStore();
        await StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        if (Database is IAsyncDisposable disposable)
            await disposable.DisposeAsync();
        _dir?.Dispose();
    }

    protected abstract Task<IHubDatabase> OpenAsync();

    /// <summary>Builds the store under test over <see cref="Database"/>.</summary>
    protected abstract void CreateStore();

    /// <summary>Opens what the store needs after <see cref="CreateStore"/> (the mailbox's writer).</summary>
    protected virtual Task StartAsync() => Task.CompletedTask;

    protected virtual Task StopAsync() => Task.CompletedTask;

    protected Task<IHubDatabase> OpenSqliteAsync()
    {
        _dir = new TempDirectory();
        return Task.FromResult<IHubDatabase>(new HubDatabase(Path.Combine(_dir.Path, "mesh.db"), Schema));
    }

    protected async Task<IHubDatabase> OpenPostgresAsync(PostgresServer server) =>
        new PostgresDatabase(await server.DatabaseAsync(GetType().Name), Schema);

    protected HubDatabase Sqlite => (HubDatabase)Database;

    protected PostgresDatabase Postgres => (PostgresDatabase)Database;
}
