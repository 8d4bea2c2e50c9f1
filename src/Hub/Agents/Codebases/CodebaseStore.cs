using System.Data.Common;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Agents.Codebases;

/// <summary>Codebases in the hub's database (SQLite or PostgreSQL); <see cref="CodebaseRegistry"/> keeps them in memory.</summary>
public sealed class CodebaseStore(IHubDatabase database)
{
    public async Task<IReadOnlyList<Codebase>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var created = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using (var read = connection.Command("SELECT name, created_at FROM codebases"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                created[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        }

        var paths = created.Keys.ToDictionary(n => n, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        await using (var read = connection.Command("SELECT codebase, node_id, path FROM codebase_nodes"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (paths.TryGetValue(reader.GetString(0), out var nodes))
                    nodes[reader.GetString(1)] = reader.GetString(2);
            }
        }

        return [.. created.Select(c => new Codebase(c.Key, paths[c.Key], c.Value))];
    }

    /// <summary>Creates the codebase with its bindings in one transaction; false when the name is taken.</summary>
    public Task<bool> CreateAsync(Codebase codebase, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        var inserted = await connection.Command("INSERT INTO codebases (name, created_at) VALUES (@n, @t) ON CONFLICT (name) DO NOTHING", transaction)
            .With("n", codebase.Name).With("t", codebase.CreatedAt.ToUnixTimeMilliseconds()).ExecuteNonQueryAsync(cancellationToken);
        if (inserted == 0)
            return false;
        foreach (var (node, path) in codebase.Paths)
            await BindAsync(connection, transaction, codebase.Name, node, path, cancellationToken);
        return true;
    }, cancellationToken);

    public Task<int> BindAsync(string name, string nodeId, string path, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) => await BindAsync(connection, transaction, name, nodeId, path, cancellationToken), cancellationToken);

    public Task<int> UnbindAsync(string name, string nodeId, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
        await connection.Command("DELETE FROM codebase_nodes WHERE codebase = @n AND node_id = @node", transaction).With("n", name).With("node", nodeId)
            .ExecuteNonQueryAsync(cancellationToken), cancellationToken);

    public Task<int> DeleteAsync(string name, CancellationToken cancellationToken) => WriteAsync(async (connection, transaction) =>
    {
        await connection.Command("DELETE FROM codebase_nodes WHERE codebase = @n", transaction).With("n", name).ExecuteNonQueryAsync(cancellationToken);
        return await connection.Command("DELETE FROM codebases WHERE name = @n", transaction).With("n", name).ExecuteNonQueryAsync(cancellationToken);
    }, cancellationToken);

    private static Task<int> BindAsync(DbConnection connection, DbTransaction transaction, string name, string nodeId, string path, CancellationToken cancellationToken) =>
        connection.Command("""
            INSERT INTO codebase_nodes (codebase, node_id, path) VALUES (@n, @node, @p)
            ON CONFLICT (codebase, node_id) DO UPDATE SET path = @p
            """, transaction).With("n", name).With("node", nodeId).With("p", path).ExecuteNonQueryAsync(cancellationToken);

    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await write(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
