using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// Hears of every commit of the mailbox writer that stored messages (Watch streams, the Mailboxes pages' feed).
/// Registered in the container; called on the writer's thread after the batch is on disk, with the new messages in
/// id order, so an implementation must be quick; a failure is logged and does not undo the commit.
/// </summary>
public interface IMessageCommitListener
{
    void MessagesCommitted(IReadOnlyList<MailboxMessage> messages);
}

/// <summary>
/// Tells other hubs on the same PostgreSQL database of a batch's new messages, inside the batch's transaction (so
/// they hear of it exactly when it commits, and never of a batch that rolled back): the writer sends the cluster-bus
/// notification this returns in the same round trip as the batch's COMMIT. Called on the writer's thread just before
/// the commit. Not called on SQLite (one hub).
/// </summary>
public interface IMessageCommitAnnouncer
{
    /// <summary>The <c>pg_notify</c> channel and payload announcing <paramref name="messages"/>, or null for none.</summary>
    (string Channel, string Payload)? Announcement(IReadOnlyList<MailboxMessage> messages);
}
