using Mesh.Hub.Mailbox.Actors;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Mailbox.Messages;
using Mesh.Hub.Mailbox.Reviews;
using Mesh.Hub.Mailbox.Schedules;
using Mesh.Hub.Mailbox.Triggers;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Storage.Contract;

/// <summary>
/// The mailbox's stores over one database as a hub wires them: the shared writer, actors (loaded), messages,
/// triggers, reviews, schedules. Two of these on one PostgreSQL database are two hubs.
/// </summary>
public sealed class MailboxParts : IAsyncDisposable
{
    private MailboxParts(MailboxDatabase writer)
    {
        Writer = writer;
        Actors = new ActorStore(writer);
        Messages = new MessageStore(writer);
        Triggers = new TriggerStore(writer);
        Reviews = new ReviewStore(writer);
        Schedules = new ScheduleStore(writer);
    }

    public MailboxDatabase Writer { get; }

    public ActorStore Actors { get; }

    public MessageStore Messages { get; }

    public TriggerStore Triggers { get; }

    public ReviewStore Reviews { get; }

    public ScheduleStore Schedules { get; }

    public static async Task<MailboxParts> OpenAsync(IHubDatabase database, TimeProvider time, MailboxOptions? options = null, IEnumerable<IMessageCommitListener>? listeners = null)
    {
        var writer = new MailboxDatabase(database, options ?? new MailboxOptions(), time, listeners ?? [], [], NullLogger<MailboxDatabase>.Instance);
        await writer.StartAsync(CancellationToken.None);
        var parts = new MailboxParts(writer);
        await parts.Actors.LoadAsync(CancellationToken.None);
        return parts;
    }

    public ValueTask DisposeAsync() => Writer.DisposeAsync();
}
