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
    private DbTransaction? _transaction;
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
    public Action<IReadOnlyList<MailboxMessage>, DbTransaction>? BeforeCommit { get; init; }

    public List<MailboxMessage> Stored { get; } = [];

    public List<Action> AfterCommit { get; } = [];

    /// <summary>The batch's clock reading: every row of one batch gets the same time.</summary>
    public long NowUnixMs { get; private set; }

    public DbCommand Command(string sql)
    {
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

        _transaction = Connection.BeginTransaction();
        using var reader = Command($"SELECT pg_advisory_xact_lock(@lock), coalesce(pg_sequence_last_value({Sequence}), 0) + 1")
            .Set("@lock", MailboxLock).ExecuteReader();
        reader.Read();
        NextMessageId = _firstIdOfBatch = reader.GetInt64(1);
    }

    public void Commit()
    {
        if (_postgres && NextMessageId > _firstIdOfBatch)
            Command($"SELECT setval({Sequence}, @last)").Set("@last", NextMessageId - 1).ExecuteScalar();
        if (_postgres && Stored.Count > 0)
            BeforeCommit?.Invoke(Stored, _transaction!);
        _transaction!.Commit();
        _transaction.Dispose();
        _transaction = null;
    }

    public void Rollback()
    {
        try
        {
            _transaction?.Rollback();
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
