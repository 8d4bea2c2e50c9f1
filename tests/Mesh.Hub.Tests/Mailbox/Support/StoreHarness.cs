using Mesh.Core.Auth;
using Mesh.Core.Tests;
using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Mesh.Hub.Tests.Storage.Contract;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Mailbox.Support;

/// <summary>
/// A real SQLite mailbox in a temp folder: the shared store, the four capabilities' stores and services wired as the
/// hub wires them; reopen it to simulate a hub restart.
/// </summary>
internal sealed class StoreHarness : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private StoreHarness(TempDirectory directory, bool ownsDirectory, MailboxParts parts, MailboxOptions options, TimeProvider time, MailboxNotifier notifier)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Store = parts.Writer;
        Notifier = notifier;
        ActorStore = parts.Actors;
        MessageStore = parts.Messages;
        TriggerStore = parts.Triggers;
        ReviewStore = parts.Reviews;
        Actors = new ActorService(ActorStore, time);
        Messages = new MessageService(MessageStore, Actors, notifier, options, new MessageMetrics(new Mesh.Hub.Tests.Support.TestMeterFactory()));
        Triggers = new TriggerService(TriggerStore, Actors, new TriggerScheduler(TriggerStore, time, NullLogger<TriggerScheduler>.Instance), options, time);
        Reviews = new ReviewService(ReviewStore, MessageStore, Actors, new ReviewWaiters(), new ReviewsFeed(new MailboxStreams()), options);
    }

    public TempDirectory Directory { get; }

    public MailboxDatabase Store { get; }

    public MailboxNotifier Notifier { get; }

    public ActorStore ActorStore { get; }

    public MessageStore MessageStore { get; }

    public TriggerStore TriggerStore { get; }

    public ReviewStore ReviewStore { get; }

    public ActorService Actors { get; }

    public MessageService Messages { get; }

    public TriggerService Triggers { get; }

    public ReviewService Reviews { get; }

    public static readonly CallerIdentity Root = new(CallerScope.Root, "root", null, "t", DateTimeOffset.MaxValue);

    public static CallerIdentity Actor(string id, string? node = null) => new(CallerScope.Actor, id, node, "t", DateTimeOffset.MaxValue);

    public static CallerIdentity NodeCaller(string node) => new(CallerScope.Node, node, node, "t", DateTimeOffset.MaxValue);

    public static async Task<StoreHarness> OpenAsync(TempDirectory? directory = null, MailboxOptions? options = null, TimeProvider? time = null)
    {
        var dir = directory ?? new TempDirectory();
        options ??= new MailboxOptions();
        time ??= TimeProvider.System;
        var database = new HubDatabase(Path.Combine(dir.Path, "mesh.db"), [new MailboxMigrations()]);
        await database.MigrateAsync(CancellationToken.None);
        var notifier = new MailboxNotifier(options);
        var parts = await MailboxParts.OpenAsync(database, time, options, [notifier]);
        return new StoreHarness(dir, directory is null, parts, options, time, notifier);
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
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
