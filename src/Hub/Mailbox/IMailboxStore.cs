using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox;

/// <summary>
/// Durable storage of actors, messages, time triggers and permission reviews. Every write returns only once it is
/// committed to disk. Message ids increase monotonically in commit order, so a reader that has seen id N never later
/// finds a new message with a lower id. SQLite today (<see cref="Sqlite.SqliteMailboxStore"/>); PostgreSQL later.
/// </summary>
public interface IMailboxStore
{
    /// <summary>Opens the store (schema must be migrated) and loads the actor directory.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Raised after each commit with the messages it stored, in id order.</summary>
    event Action<IReadOnlyList<MailboxMessage>>? MessagesCommitted;

    // Actors and teams (served from memory; writes go to disk first).
    ActorRecord? FindActor(string actorId);

    IReadOnlyList<ActorRecord> ListActors();

    IReadOnlyList<ActorRecord> TeamMembers(string teamId);

    Task<ActorRecord> CreateActorAsync(ActorRecord actor, CancellationToken cancellationToken);

    Task<bool> DeleteActorAsync(string actorId, CancellationToken cancellationToken);

    // Messages.
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

    // Time triggers.
    Task<TimeTrigger> AddTriggerAsync(NewTrigger trigger, CancellationToken cancellationToken);

    Task<TimeTrigger?> GetTriggerAsync(ulong triggerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<TimeTrigger>> ListTriggersAsync(string? actorId, bool includeInactive, CancellationToken cancellationToken);

    Task<TimeTrigger> CancelTriggerAsync(ulong triggerId, CancellationToken cancellationToken);

    /// <summary>Active triggers due at or before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<TimeTrigger>> DueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Delivers the trigger's message for the due time <paramref name="dueUnixMs"/> and moves it to
    /// <paramref name="nextDueUnixMs"/> (null: done) in one transaction. False (nothing stored) when the trigger is no
    /// longer active or that due time was already fired: exactly once per due time, across restarts.
    /// </summary>
    Task<bool> FireTriggerAsync(ulong triggerId, long dueUnixMs, long? nextDueUnixMs, CancellationToken cancellationToken);

    // Permission reviews.
    Task<PermissionReview> AddReviewAsync(NewReview review, CancellationToken cancellationToken);

    Task<PermissionReview?> GetReviewAsync(ulong reviewId, CancellationToken cancellationToken);

    Task<IReadOnlyList<PermissionReview>> ListReviewsAsync(bool includeClosed, CancellationToken cancellationToken);

    /// <summary>The newest answered or cancelled reviews, newest first (the web UI's history).</summary>
    Task<IReadOnlyList<PermissionReview>> ListRecentClosedReviewsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Answers (or, with a null option, cancels) a pending review; FAILED_PRECONDITION if it is no longer pending.</summary>
    Task<PermissionReview> AnswerReviewAsync(ulong reviewId, string? optionId, string answeredBy, CancellationToken cancellationToken);
}
