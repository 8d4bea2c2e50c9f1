using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>Durable storage of time triggers (SQLite or PostgreSQL: <see cref="TriggerStore"/>). Writes return once committed.</summary>
public interface ITriggerStore
{
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
}
