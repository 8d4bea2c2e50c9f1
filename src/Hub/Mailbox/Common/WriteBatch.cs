using System.Data.Common;
using Mesh.Core.Protocol;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The state of one group-commit transaction on the writer connection: prepared commands (reused across batches),
/// the next message id, the messages stored so far and actions to run once the batch is on disk.
/// Only the writer thread touches it. SQL is written once for both backends (<c>@name</c> parameters).
/// </summary>
/// <remarks>
/// Message ids are handed out here, in commit order, on both backends. On SQLite this writer is the only one, so the
/// next id lives in memory. On PostgreSQL several hubs may write: each batch first takes a transaction advisory lock
/// (every mailbox batch of every hub, so they commit one at a time and never deadlock on each other's rows), reads
/// the next id from the identity sequence, and moves the sequence past the ids it used before committing. A reader
/// that has seen id N therefore never later finds a new message with a lower id, whichever hub stored it.
/// <para>
/// On PostgreSQL every statement is a round trip, and the writer runs them one after the other: statements whose
/// outcome no operation needs at once (<see cref="Defer"/>, <see cref="PendingRows{T}"/>) wait and go to the server
/// together in one round trip, before the next statement that reads (<see cref="Command"/>), at a savepoint's end or
/// at the commit. On SQLite (in-process, no round trips) they run at once.
/// </para>
/// </remarks>
internal sealed class WriteBatch
{
    // pg_advisory_xact_lock key of mailbox batches: "mbox" in ASCII.
    private const long MailboxLock = 0x6D626F78;
    private const string Sequence = "pg_get_serial_sequence('mailbox_messages', 'id')::regclass";

    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly Func<DbConnection> _reopen;
    private readonly TimeProvider _time;
    private readonly bool _postgres;
    private readonly List<object> _pending = []; // DeferredStatement or IPendingRows, in the order they were queued
    private DbTransaction? _transaction; // SQLite's; PostgreSQL's is opened and ended in SQL
    private bool _inTransaction;
    private long _firstIdOfBatch;

    public WriteBatch(DbConnection connection, Func<DbConnection> reopen, TimeProvider time)
    {
        Connection = connection;
        _reopen = reopen;
        _time = time;
        _postgres = connection is not SqliteConnection;
    }

    public DbConnection Connection { get; private set; }

    public long NextMessageId { get; set; }

    /// <summary>PostgreSQL: runs in the transaction just before it commits, with the batch's new messages (other hubs hear of them at the commit).</summary>
    public Func<IReadOnlyList<MailboxMessage>, IEnumerable<(string Channel, string Payload)>>? BeforeCommit { get; init; }

    public List<MailboxMessage> Stored { get; } = [];

    public List<Action> AfterCommit { get; } = [];

    /// <summary>The batch's clock reading: every row of one batch gets the same time.</summary>
    public long NowUnixMs { get; private set; }

    /// <summary>True when statements wait for one round trip (<see cref="Defer"/>); false on SQLite, where they run at once.</summary>
    public bool Pipelined => _postgres;

    /// <summary>A cached command on the transaction; whatever waits to be sent goes first, so it reads what the batch wrote.</summary>
    public DbCommand Command(string sql)
    {
        Flush();
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = _transaction;
        return command;
    }

    public void Execute(string sql) => Command(sql).ExecuteNonQuery();

    /// <summary>
    /// A statement whose outcome nothing needs before the batch goes on. PostgreSQL: sent with the others in one
    /// round trip; <paramref name="affected"/> then gets its row count (before the savepoint ends or the commit, so a
    /// row count that decides a claim still decides what the operation answers). SQLite: runs now.
    /// </summary>
    public void Defer(string sql, Action<int>? affected, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_postgres)
        {
            var command = Command(sql);
            foreach (var (name, value) in parameters)
                command.Set(name, value);
            var rows = command.ExecuteNonQuery();
            affected?.Invoke(rows);
            return;
        }

        var statement = new DeferredStatement(sql, [.. parameters], affected);
        _pending.Add(statement);
    }

    /// <summary>
    /// PostgreSQL: the rows of one kind queued last (merged into one statement when nothing else was queued since),
    /// or a new, empty set of them. Only when <see cref="Pipelined"/>.
    /// </summary>
    public T PendingRows<T>() where T : class, IPendingRows, new()
    {
        if (_pending.Count > 0 && _pending[^1] is T rows)
            return rows;
        var added = new T();
        _pending.Add(added);
        return added;
    }

    /// <summary>Sends what waits, in one round trip, then hands out the row counts.</summary>
    public void Flush()
    {
        if (_pending.Count == 0)
            return;
        var items = _pending.ToArray();
        _pending.Clear(); // also when the statements fail: a savepoint rollback must not send them again
        using var batch = Connection.CreateBatch();
        batch.Transaction = _transaction;
        var affected = new List<(DbBatchCommand Command, Action<int> Affected)>();
        foreach (var item in items)
        {
            var command = batch.CreateBatchCommand();
            if (item is DeferredStatement statement)
            {
                command.CommandText = statement.Sql;
                foreach (var (name, value) in statement.Parameters)
                    command.Parameters.Add(Parameter(command, name, value));
                if (statement.Affected is { } callback)
                    affected.Add((command, callback));
            }
            else
            {
                ((IPendingRows)item).Fill(command, NowUnixMs);
            }

            batch.BatchCommands.Add(command);
        }

        batch.ExecuteNonQuery();
        foreach (var (command, callback) in affected)
            callback(command.RecordsAffected);
    }

    /// <summary>A parameter for a deferred statement (<c>@name</c>, as written in the SQL).</summary>
    public static DbParameter Parameter(DbBatchCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    public void Begin()
    {
        if (Connection.State != System.Data.ConnectionState.Open)
            Reconnect();
        NowUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Stored.Clear();
        AfterCommit.Clear();
        if (!_postgres)
        {
            _transaction = ((SqliteConnection)Connection).BeginTransaction(deferred: false);
            return;
        }

        // The transaction is opened and ended in SQL (no DbTransaction): the COMMIT then travels in the same round
        // trip as the statements that waited for it, instead of one of its own.
        _pending.Clear();
        _inTransaction = true;
        using var reader = Command($"BEGIN; SELECT pg_advisory_xact_lock(@lock), coalesce(pg_sequence_last_value({Sequence}), 0) + 1")
            .Set("@lock", MailboxLock).ExecuteReader();
        while (reader.FieldCount == 0 && reader.NextResult())
        {
            // past BEGIN's empty result
        }

        reader.Read();
        NextMessageId = _firstIdOfBatch = reader.GetInt64(1);
    }

    public void Commit()
    {
        if (!_postgres)
        {
            _transaction!.Commit();
            _transaction.Dispose();
            _transaction = null;
            return;
        }

        if (NextMessageId > _firstIdOfBatch)
            Defer($"SELECT setval({Sequence}, @last)", null, ("@last", NextMessageId - 1));
        // Other hubs hear of the batch's messages when it commits (NOTIFY is sent at COMMIT, never on a rollback).
        if (Stored.Count > 0 && BeforeCommit is { } announce)
        {
            foreach (var (channel, payload) in announce(Stored))
                Defer("SELECT pg_notify(@channel, @payload)", null, ("@channel", channel), ("@payload", payload));
        }

        Defer("COMMIT", null);
        Flush();
        _inTransaction = false;
    }

    public void Rollback()
    {
        _pending.Clear();
        try
        {
            if (_transaction is not null)
                _transaction.Rollback();
            else if (_inTransaction)
                Command("ROLLBACK").ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException && Connection.State != System.Data.ConnectionState.Open)
        {
            // The connection is gone (PostgreSQL restarted, network): the server dropped the transaction with it; the
            // next batch opens a new connection.
        }
        finally
        {
            _transaction?.Dispose();
            _transaction = null;
            _inTransaction = false;
        }
    }

    public void DisposeCommands()
    {
        foreach (var command in _commands.Values)
            command.Dispose();
        _commands.Clear();
    }

    private void Reconnect()
    {
        DisposeCommands();
        Connection.Dispose();
        Connection = _reopen();
    }
}

/// <summary>Rows of one kind that wait in a <see cref="WriteBatch"/> and go to PostgreSQL as one statement.</summary>
internal interface IPendingRows
{
    /// <summary>Writes the one statement (and its parameters) that stores every row.</summary>
    void Fill(DbBatchCommand command, long nowUnixMs);
}

internal sealed record DeferredStatement(string Sql, (string Name, object? Value)[] Parameters, Action<int>? Affected);

internal static class BatchCommandExtensions
{
    /// <summary>Sets a parameter (<c>@name</c>, as written in the SQL), creating it the first time a cached command is used.</summary>
    public static DbCommand Set(this DbCommand command, string name, object? value)
    {
        var parameters = command.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            if (ReferenceEquals(parameters[i].ParameterName, name) || string.Equals(parameters[i].ParameterName, name, StringComparison.Ordinal))
            {
                parameters[i].Value = value ?? DBNull.Value;
                return command;
            }
        }

        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameters.Add(parameter);
        return command;
    }
}
