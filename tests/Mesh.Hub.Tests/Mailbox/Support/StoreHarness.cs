using Mesh.Core.Auth;
using Mesh.Core.Tests;
using Mesh.Hub.Mailbox;
using Mesh.Hub.Mailbox.Sqlite;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Mailbox.Support;

/// <summary>A real SQLite mailbox store and service in a temp folder; reopen it to simulate a hub restart.</summary>
internal sealed class StoreHarness : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private StoreHarness(TempDirectory directory, bool ownsDirectory, SqliteMailboxStore store, MailboxService service, MailboxNotifier notifier)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Store = store;
        Service = service;
        Notifier = notifier;
    }

    public TempDirectory Directory { get; }

    public SqliteMailboxStore Store { get; }

    public MailboxService Service { get; }

    public MailboxNotifier Notifier { get; }

    public static readonly CallerIdentity Root = new(CallerScope.Root, "root", null, "t", DateTimeOffset.MaxValue);

    public static CallerIdentity Actor(string id, string? node = null) => new(CallerScope.Actor, id, node, "t", DateTimeOffset.MaxValue);

    public static CallerIdentity NodeCaller(string node) => new(CallerScope.Node, node, node, "t", DateTimeOffset.MaxValue);

    public static async Task<StoreHarness> OpenAsync(TempDirectory? directory = null, MailboxOptions? options = null, TimeProvider? time = null)
    {
        var dir = directory ?? new TempDirectory();
        options ??= new MailboxOptions();
        time ??= TimeProvider.System;
        var database = new HubDatabase(Path.Combine(dir.Path, "mesh.db"), [new MailboxMigrationsAccessor()]);
        await database.InitializeAsync(CancellationToken.None);
        var store = new SqliteMailboxStore(database, options, time, NullLogger<SqliteMailboxStore>.Instance);
        var notifier = new MailboxNotifier(options);
        store.MessagesCommitted += notifier.Publish;
        await store.StartAsync(CancellationToken.None);
        var service = new MailboxService(store, notifier, new ReviewWaiters(), options, time);
        return new StoreHarness(dir, directory is null, store, service, notifier);
    }

    /// <summary>Closes this store and opens a new one on the same file, as a hub restart does.</summary>
    public async Task<StoreHarness> ReopenAsync(MailboxOptions? options = null, TimeProvider? time = null)
    {
        await Store.DisposeAsync();
        return await OpenAsync(Directory, options, time);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_ownsDirectory)
            Directory.Dispose();
    }

    private sealed class MailboxMigrationsAccessor : IMigrationSource
    {
        public IEnumerable<Migration> Migrations => new MailboxMigrations().Migrations;
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
