using Mesh.Hub.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The mailbox tables on the hub's SQLite file, shared by actors, messages, triggers and reviews: every write goes
/// through one <see cref="MailboxWriter"/> (group commit: a batch is one transaction and one fsync, callers released
/// after the commit), reads use pooled connections (WAL lets them run beside the writer). Message ids increase in
/// commit order; each commit's new messages go to the <see cref="IMessageCommitListener"/>s.
/// </summary>
public sealed class MailboxDatabase(
    HubDatabase database,
    MailboxOptions options,
    TimeProvider time,
    IEnumerable<IMessageCommitListener> listeners,
    ILogger<MailboxDatabase> logger) : IAsyncDisposable
{
    private readonly IMessageCommitListener[] _listeners = [.. listeners];
    private MailboxWriter? _writer;

    /// <summary>True once <see cref="StartAsync"/> has opened the store (the hub's readiness).</summary>
    public bool IsOpen => _writer is not null;

    /// <summary>The id the first message after <see cref="StartAsync"/> gets (for the start-up log line).</summary>
    public long NextMessageIdAtStart { get; private set; }

    /// <summary>Opens the writer connection (the schema must be migrated) at the next free message id.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
            return;
        var connection = await database.OpenAsync(cancellationToken);
        long nextId;
        await using (var read = connection.CreateCommand())
        {
            // AUTOINCREMENT's sequence never goes down, even when the newest rows were deleted.
            read.CommandText = "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'mailbox_messages'), 0), coalesce((SELECT max(id) FROM mailbox_messages), 0))";
            nextId = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) + 1;
        }

        _writer = new MailboxWriter(connection, nextId, options.MaxBatch, time, logger, Committed);
        NextMessageIdAtStart = nextId;
    }

    /// <summary>Queues <paramref name="work"/> for the next group commit; completes once its batch is on disk.</summary>
    internal Task<T> WriteAsync<T>(Func<WriteBatch, T> work, CancellationToken cancellationToken) =>
        (_writer ?? throw new InvalidOperationException("the mailbox database is not started")).Enqueue(work, cancellationToken);

    /// <summary>Runs a read on a pooled connection of its own.</summary>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }

    /// <summary>Runs a query on a pooled connection and reads each row with <paramref name="row"/>.</summary>
    internal Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<SqliteCommand>? bind, Func<SqliteDataReader, T> row, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<T>>(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind?.Invoke(command);
            var rows = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(row(reader));
            return rows;
        }, cancellationToken);

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
