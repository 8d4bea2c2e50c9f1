using Mesh.Core.Protocol;
using Mesh.Node.Storage;
using Microsoft.Data.Sqlite;

namespace Mesh.Node.Mailbox;

/// <summary>
/// Sends accepted while the hub is unreachable: data_dir/outbox.db (WAL, synchronous=FULL, 0600). A row is written
/// and synced before the caller is answered, and deleted only after the hub stored the message (its idempotency key
/// makes a replay after a lost answer harmless).
/// </summary>
public sealed class MailboxOutbox : IDisposable
{
    public const string FileName = "outbox.db";
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    // Rows still to deliver, kept in step with the table (this process is its only writer), so the relay's check
    // on every send costs no query.
    private int _pending;

    public MailboxOutbox(string dataDir)
    {
        _connection = NodeDatabase.Open(dataDir, FileName, """
            CREATE TABLE IF NOT EXISTS outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                actor_id TEXT NOT NULL,
                request BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                failed INTEGER NOT NULL DEFAULT 0
            );
            """);
        _pending = CountRows(failed: false);
    }

    /// <summary>Queues a send; returns its outbox sequence number once it is on disk.</summary>
    public long Enqueue(string actorId, SendRequest request, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO outbox (actor_id, request, created_at) VALUES ($a, $r, $t) RETURNING seq";
            command.Parameters.AddWithValue("$a", actorId);
            command.Parameters.AddWithValue("$r", Google.Protobuf.MessageExtensions.ToByteArray(request));
            command.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
            var seq = (long)command.ExecuteScalar()!;
            _pending++;
            return seq;
        }
    }

    /// <summary>The oldest queued sends still to deliver, in order.</summary>
    public IReadOnlyList<OutboxEntry> Pending(int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq, actor_id, request, attempts FROM outbox WHERE failed = 0 ORDER BY seq LIMIT $n";
            command.Parameters.AddWithValue("$n", limit);
            using var reader = command.ExecuteReader();
            var entries = new List<OutboxEntry>();
            while (reader.Read())
                entries.Add(new OutboxEntry(reader.GetInt64(0), reader.GetString(1), SendRequest.Parser.ParseFrom((byte[])reader[2]), reader.GetInt32(3)));
            return entries;
        }
    }

    public void Delivered(long seq) => Run("DELETE FROM outbox WHERE seq = $s AND failed = 0", seq, null, leavesPending: true);

    public void Retry(long seq, string error) => Run("UPDATE outbox SET attempts = attempts + 1, last_error = $e WHERE seq = $s", seq, error, leavesPending: false);

    /// <summary>The hub refused the message for good (e.g. unknown recipient): kept for inspection, never retried.</summary>
    public void Failed(long seq, string error) => Run("UPDATE outbox SET failed = 1, attempts = attempts + 1, last_error = $e WHERE seq = $s AND failed = 0", seq, error, leavesPending: true);

    /// <summary>Rows still to deliver, or with <paramref name="failed"/> the ones the hub refused for good.</summary>
    public int Count(bool failed = false)
    {
        lock (_gate)
            return failed ? CountRows(failed: true) : _pending;
    }

    public void Dispose() => _connection.Dispose();

    private void Run(string sql, long seq, string? error, bool leavesPending)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$s", seq);
            if (error is not null)
                command.Parameters.AddWithValue("$e", error);
            var rows = command.ExecuteNonQuery();
            if (leavesPending)
                _pending -= rows;
        }
    }

    private int CountRows(bool failed)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM outbox WHERE failed = $f";
        command.Parameters.AddWithValue("$f", failed ? 1 : 0);
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed record OutboxEntry(long Seq, string ActorId, SendRequest Request, int Attempts);
