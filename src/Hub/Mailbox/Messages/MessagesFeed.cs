using Mesh.Core.Protocol;
using Mesh.Hub.Live;
using Mesh.Hub.Mailbox.Common;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// The Mailboxes pages' live feed: one notice per committed message (its id is the position, its recipient the
/// value), never the payload: a page reads the rows it shows from the store. Its readers share the mailbox pages'
/// cap (<see cref="MailboxStreams.Gate"/>).
/// </summary>
public sealed class MessagesFeed(MailboxStreams streams) : IMessageCommitListener
{
    /// <summary>Notices kept for readers; an inbox stream that falls further behind ends and its browser resumes from the store.</summary>
    public const int Capacity = 10_000;

    public LiveFeed<string> Feed { get; } = new(Capacity, streams.Gate);

    public void MessagesCommitted(IReadOnlyList<MailboxMessage> messages)
    {
        // Nobody watches: the hot path pays nothing. A page that subscribes later reads what it missed from the store.
        if (Feed.SubscriberCount == 0)
            return;
        Feed.Publish(messages.Select(m => new LiveItem<string>((long)m.Id, m.ToActorId)));
    }
}
