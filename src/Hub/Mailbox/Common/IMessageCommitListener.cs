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
