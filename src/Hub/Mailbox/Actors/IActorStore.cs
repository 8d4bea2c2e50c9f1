namespace Mesh.Hub.Mailbox.Actors;

/// <summary>
/// The actor directory: served from memory, loaded at start, changed only after its rows are committed (through the
/// mailbox writer). One implementation for SQLite and PostgreSQL: <see cref="ActorStore"/>.
/// </summary>
public interface IActorStore
{
    /// <summary>Loads the directory (the mailbox store must be open).</summary>
    Task LoadAsync(CancellationToken cancellationToken);

    ActorRecord? FindActor(string actorId);

    IReadOnlyList<ActorRecord> ListActors();

    IReadOnlyList<ActorRecord> TeamMembers(string teamId);

    Task<ActorRecord> CreateActorAsync(ActorRecord actor, CancellationToken cancellationToken);

    Task<bool> DeleteActorAsync(string actorId, CancellationToken cancellationToken);
}
