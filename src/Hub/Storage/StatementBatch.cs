using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Storage;

/// <summary>
/// Statements written in one transaction, sent together where the driver batches (PostgreSQL: one round trip for
/// all) and one after the other where it does not (SQLite, in-process: nothing to save). Parameters as in
/// <see cref="DbStatements"/>.
/// </summary>
public sealed class StatementBatch(DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    private readonly DbBatch? _batch = connection.CanCreateBatch ? CreateBatch(connection, transaction) : null;
    private readonly bool _sqlite = connection is SqliteConnection;

    /// <summary>Adds a statement (executes it at once when the driver does not batch).</summary>
    public async ValueTask AddAsync(string sql, IEnumerable<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        if (_batch is null)
        {
            await using var command = connection.Command(sql, transaction);
            foreach (var (name, value) in parameters)
                command.With(name, value);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return;
        }

        var statement = _batch.CreateBatchCommand();
        statement.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = statement.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = DbStatements.Value(_sqlite, value);
            statement.Parameters.Add(parameter);
        }

        _batch.BatchCommands.Add(statement);
    }

    /// <summary>Sends what was batched (nothing left to do without batching).</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_batch is { BatchCommands.Count: > 0 })
            await _batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _batch?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static DbBatch CreateBatch(DbConnection connection, DbTransaction transaction)
    {
        var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        return batch;
    }
}
