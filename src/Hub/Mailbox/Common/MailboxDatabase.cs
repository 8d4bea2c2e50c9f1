using System.Data.Common;
using Mesh.Hub.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The mailbox tables in the hub's database (SQLite or PostgreSQL), shared by actors, messages, triggers, reviews and
/// schedules: every write goes through one <see cref="MailboxWriter"/> (group commit: a batch is one transaction,
/// callers released after the commit), reads use pooled connections (SQLite's WAL lets them run beside the writer).
/// Message ids increase in commit order; each commit's new messages go to the <see cref="IMessageCommitListener"/>s.
/// </summary>
public sealed class MailboxDatabase(
    IHubDatabase database,
    MailboxOptions options,
    TimeProvider time,
    IEnumerable<IMessageCommitListener> listeners,
    IEnumerable<IMessageCommitAnnouncer> announcers,
    ILogger<MailboxDatabase> logger) : IAsyncDisposable
{
    private readonly IMessageCommitListener[] _listeners = [.. listeners];
    private readonly IMessageCommitAnnouncer[] _announcers = [.. announcers];
    private MailboxWriter? _writer;

    /// <summary>True once <see cref="StartAsync"/> has opened the store (the hub's readiness).</summary>
    public bool IsOpen => _writer is not null;

    /// <summary>The id the first message after <see cref="StartAsync"/> gets (for the start-up log line).</summary>
    public long NextMessageIdAtStart { get; private set; }

    /// <summary>Opens the writer connection (the schema must be migrated).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
            return;
        var connection = await database.OpenConnectionAsync(cancellationToken);
        // SQLite: AUTOINCREMENT's sequence never goes down, even when the newest rows were deleted. PostgreSQL: each
        // batch reads the next id itself (another hub may have written since), this is only for the log line.
        await using (var read = connection.Command(connection is SqliteConnection
                         ? "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mailbox_messages'), 0), coalesce((SELECT max(id) FROM mailbox_messages), 0))"
                         : "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('mailbox_messages', 'id')::regclass), 0)"))
            NextMessageIdAtStart = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) + 1;

        // The writer's own thread reopens its connection after a lost one (PostgreSQL restarted or failed over).
        _writer = new MailboxWriter(connection, () => database.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult(),
            NextMessageIdAtStart, options.MaxBatch, time, logger, Committed, Announce);
    }

    private IEnumerable<(string Channel, string Payload)> Announce(IReadOnlyList<Mesh.Core.Protocol.MailboxMessage> messages) =>
        _announcers.Select(a => a.Announcement(messages)).OfType<(string Channel, string Payload)>();

    /// <summary>Queues <paramref name="work"/> for the next group commit; completes once its batch is on disk.</summary>
    internal Task<T> WriteAsync<T>(Func<WriteBatch, T> work, CancellationToken cancellationToken) =>
        (_writer ?? throw new InvalidOperationException("the mailbox database is not started")).Enqueue(work, cancellationToken);

    /// <summary>Runs a read on a pooled connection of its own.</summary>
    internal async Task<T> ReadAsync<T>(Func<DbConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }

    /// <summary>Runs a query on a pooled connection and reads each row with <paramref name="row"/>.</summary>
    internal Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<DbCommand>? bind, Func<DbDataReader, T> row, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>(async (connection, ct) =>
        {
            await using var command = connection.Command(sql);
            bind?.Invoke(command);
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(row(reader));
            return rows;
        }, cancellationToken);

    /// <summary>The first row of a query (a lookup by key), or null.</summary>
    internal async Task<T?> QueryFirstAsync<T>(string sql, Action<DbCommand>? bind, Func<DbDataReader, T> row, CancellationToken cancellationToken)
        where T : class
    {
        var rows = await QueryAsync(sql, bind, row, cancellationToken);
        return rows.Count > 0 ? rows[0] : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
            await _writer.DisposeAsync();
    }

    private void Committed(IReadOnlyList<Core.Protocol.MailboxMessage> messages)
    {
        foreach (var listener in _listeners)
            listener.MessagesCommitted(messages);
    }
}
