using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Messages;

/// <summary>
/// Durable storage of messages. Every write returns only once it is committed to disk. Message ids increase
/// monotonically in commit order, so a reader that has seen id N never later finds a new message with a lower id.
/// One implementation for SQLite and PostgreSQL: <see cref="MessageStore"/>.
/// </summary>
public interface IMessageStore
{
    Task<SendResult> SendAsync(NewMessage message, CancellationToken cancellationToken);

    /// <summary>Several sends in one transaction; results in order.</summary>
    Task<IReadOnlyList<SendResult>> SendManyAsync(IReadOnlyList<NewMessage> messages, CancellationToken cancellationToken);

    Task<IReadOnlyList<MailboxMessage>> ReadAsync(InboxQuery query, CancellationToken cancellationToken);

    /// <summary>Reads pending messages and marks them delivered in the same transaction: each is handed out once.</summary>
    Task<IReadOnlyList<MailboxMessage>> ClaimAsync(InboxQuery query, CancellationToken cancellationToken);

    Task<AckResult> AckAsync(string actorId, IReadOnlyList<ulong> messageIds, CancellationToken cancellationToken);

    /// <summary>An actor's newest messages, pending and delivered, newest first (the web UI's inbox view).</summary>
    Task<IReadOnlyList<MailboxMessage>> ReadLatestAsync(string actorId, int limit, CancellationToken cancellationToken);

    Task<long> CountPendingAsync(string actorId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, long>> CountPendingByActorAsync(CancellationToken cancellationToken);
}
