using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Mailbox.Actors;

/// <summary>
/// The actor directory on the mailbox tables (SQLite or PostgreSQL): an immutable snapshot for readers, replaced after
/// each committed change. A second create of one id is refused by the primary key (the row count, not the snapshot, decides).
/// </summary>
public sealed class ActorStore(MailboxDatabase database) : IActorStore
{
    private readonly Dictionary<string, ActorRecord> _actors = new(StringComparer.Ordinal); // writer-owned
    private volatile ActorSnapshot _snapshot = ActorSnapshot.Empty;

    public Task LoadAsync(CancellationToken cancellationToken) => database.ReadAsync(async (connection, ct) =>
    {
        await using var read = connection.Command("SELECT id, name, team_id, team_role, placement, created_at FROM mailbox_actors");
        await using var reader = await read.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var actor = new ActorRecord(reader.GetString(0), reader.GetString(1), reader.GetStringOrNull(2), reader.GetString(3), ActorPlacement.Parse(reader.GetString(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
            _actors[actor.Id] = actor;
        }

        _snapshot = ActorSnapshot.From(_actors.Values);
        return true;
    }, cancellationToken);

    public ActorRecord? FindActor(string actorId) => _snapshot.ById.GetValueOrDefault(actorId);

    public IReadOnlyList<ActorRecord> ListActors() => _snapshot.All;

    public IReadOnlyList<ActorRecord> TeamMembers(string teamId) => _snapshot.ByTeam.GetValueOrDefault(teamId) ?? [];

    public Task<ActorRecord> CreateActorAsync(ActorRecord actor, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        // The row count decides, not the snapshot: on PostgreSQL another hub may have created the id.
        var inserted = batch.Command("INSERT INTO mailbox_actors (id, name, team_id, team_role, placement, created_at) VALUES (@id, @name, @team, @role, @placement, @at) ON CONFLICT DO NOTHING")
            .Set("@id", actor.Id).Set("@name", actor.Name).Set("@team", actor.TeamId).Set("@role", actor.TeamRole)
            .Set("@placement", actor.Placement.ToString()).Set("@at", actor.CreatedAt.ToUnixTimeMilliseconds())
            .ExecuteNonQuery();
        if (inserted == 0)
            throw new MailboxException(MailboxError.AlreadyExists, $"actor '{actor.Id}' already exists. Delete it first or pick another id.");
        batch.AfterCommit.Add(() =>
        {
            _actors[actor.Id] = actor;
            _snapshot = ActorSnapshot.From(_actors.Values);
        });
        return actor;
    }, cancellationToken);

    public Task<bool> DeleteActorAsync(string actorId, CancellationToken cancellationToken) => database.WriteAsync(batch =>
    {
        var deleted = batch.Command("DELETE FROM mailbox_actors WHERE id = @id").Set("@id", actorId).ExecuteNonQuery() > 0;
        if (deleted)
        {
            batch.AfterCommit.Add(() =>
            {
                _actors.Remove(actorId);
                _snapshot = ActorSnapshot.From(_actors.Values);
            });
        }

        return deleted;
    }, cancellationToken);

    private sealed class ActorSnapshot
    {
        public static readonly ActorSnapshot Empty = From([]);

        private ActorSnapshot(IReadOnlyList<ActorRecord> all)
        {
            All = all;
            ById = all.ToDictionary(a => a.Id, StringComparer.Ordinal);
            ByTeam = all.Where(a => a.TeamId is not null)
                .GroupBy(a => a.TeamId!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<ActorRecord>)g.OrderBy(a => a.Id, StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        }

        public IReadOnlyList<ActorRecord> All { get; }

        public Dictionary<string, ActorRecord> ById { get; }

        public Dictionary<string, IReadOnlyList<ActorRecord>> ByTeam { get; }

        public static ActorSnapshot From(IEnumerable<ActorRecord> actors) => new(actors.OrderBy(a => a.Id, StringComparer.Ordinal).ToArray());
    }
}
