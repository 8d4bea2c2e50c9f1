using Mesh.Core.Protocol;
using Mesh.Hub.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mesh.Hub.Mailbox.Sqlite;

/// <summary>
/// The mailbox store on the hub's SQLite file. Writes go through one <see cref="MailboxWriter"/> (group commit);
/// reads use pooled connections (WAL lets them run beside the writer). The actor directory lives in memory,
/// loaded at start and changed only after its rows are committed.
/// </summary>
public sealed partial class SqliteMailboxStore : IMailboxStore, IAsyncDisposable
{
    private readonly HubDatabase _database;
    private readonly MailboxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ActorRecord> _actors = new(StringComparer.Ordinal); // writer-owned
    private volatile ActorSnapshot _snapshot = ActorSnapshot.Empty;
    private MailboxWriter? _writer;

    public SqliteMailboxStore(HubDatabase database, MailboxOptions options, TimeProvider time, ILogger<SqliteMailboxStore> logger)
    {
        _database = database;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public event Action<IReadOnlyList<MailboxMessage>>? MessagesCommitted;

    /// <summary>True once <see cref="StartAsync"/> has opened the store (the hub's readiness).</summary>
    public bool IsOpen => _writer is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
            return;
        var connection = await _database.OpenAsync(cancellationToken);
        long nextId;
        await using (var read = connection.CreateCommand())
        {
            // AUTOINCREMENT's sequence never goes down, even when the newest rows were deleted.
            read.CommandText = "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mailbox_messages'), 0), coalesce((SELECT max(id) FROM mailbox_messages), 0))";
            nextId = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) + 1;
        }

        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT id, name, team_id, team_role, placement, created_at FROM mailbox_actors";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var actor = new ActorRecord(reader.GetString(0), reader.GetString(1), reader.GetStringOrNull(2), reader.GetString(3), ActorPlacement.Parse(reader.GetString(4)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
                _actors[actor.Id] = actor;
            }
        }

        _snapshot = ActorSnapshot.From(_actors.Values);
        _writer = new MailboxWriter(connection, nextId, _options.MaxBatch, _time, _logger, messages => MessagesCommitted?.Invoke(messages));
        MailboxLog.Started(_logger, _actors.Count, nextId);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
            await _writer.DisposeAsync();
    }

    private MailboxWriter Writer => _writer ?? throw new InvalidOperationException("the mailbox store is not started");

    private Task<T> Write<T>(Func<WriteBatch, T> work, CancellationToken cancellationToken) => Writer.Enqueue(work, cancellationToken);

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }

    // Actors.
    public ActorRecord? FindActor(string actorId) => _snapshot.ById.GetValueOrDefault(actorId);

    public IReadOnlyList<ActorRecord> ListActors() => _snapshot.All;

    public IReadOnlyList<ActorRecord> TeamMembers(string teamId) => _snapshot.ByTeam.GetValueOrDefault(teamId) ?? [];

    public Task<ActorRecord> CreateActorAsync(ActorRecord actor, CancellationToken cancellationToken) => Write(batch =>
    {
        if (_actors.ContainsKey(actor.Id))
            throw new MailboxException(MailboxError.AlreadyExists, $"actor '{actor.Id}' already exists. Delete it first or pick another id.");
        batch.Command("INSERT INTO mailbox_actors (id, name, team_id, team_role, placement, created_at) VALUES ($id, $name, $team, $role, $placement, $at)")
            .Set("$id", actor.Id).Set("$name", actor.Name).Set("$team", actor.TeamId).Set("$role", actor.TeamRole)
            .Set("$placement", actor.Placement.ToString()).Set("$at", actor.CreatedAt.ToUnixTimeMilliseconds())
            .ExecuteNonQuery();
        batch.AfterCommit.Add(() =>
        {
            _actors[actor.Id] = actor;
            _snapshot = ActorSnapshot.From(_actors.Values);
        });
        return actor;
    }, cancellationToken);

    public Task<bool> DeleteActorAsync(string actorId, CancellationToken cancellationToken) => Write(batch =>
    {
        var deleted = batch.Command("DELETE FROM mailbox_actors WHERE id = $id").Set("$id", actorId).ExecuteNonQuery() > 0;
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
