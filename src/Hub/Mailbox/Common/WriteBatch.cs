using Mesh.Core.Protocol;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Mailbox.Common;

/// <summary>
/// The state of one group-commit transaction on the writer connection: prepared commands (reused across batches),
/// the next message id, the messages stored so far and actions to run once the batch is on disk.
/// Only the writer thread touches it.
/// </summary>
internal sealed class WriteBatch(SqliteConnection connection, TimeProvider time)
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteTransaction? _transaction;

    public SqliteConnection Connection { get; } = connection;

    public long NextMessageId { get; set; }

    public List<MailboxMessage> Stored { get; } = [];

    public List<Action> AfterCommit { get; } = [];

    /// <summary>The batch's clock reading: every row of one batch gets the same time.</summary>
    public long NowUnixMs { get; private set; }

    public SqliteCommand Command(string sql)
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
        NowUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        Stored.Clear();
        AfterCommit.Clear();
        _transaction = Connection.BeginTransaction(deferred: false);
    }

    public void Commit()
    {
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
}

internal static class BatchCommandExtensions
{
    /// <summary>Sets a parameter, creating it the first time a cached command is used.</summary>
    public static SqliteCommand Set(this SqliteCommand command, string name, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index >= 0)
            command.Parameters[index].Value = value ?? DBNull.Value;
        else
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
