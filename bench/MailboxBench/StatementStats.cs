using System.Globalization;
using Npgsql;

namespace Mesh.MailboxBench;

/// <summary>
/// With --pg-statements: what the PostgreSQL server executed during one scenario, from pg_stat_statements (cluster
/// wide, so it includes every hub backend and the store's writer): statements per message, by statement.
/// </summary>
internal sealed class StatementStats(Mesh.Bench.PostgresInstance server)
{
    public async Task ResetAsync()
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task PrintAsync(RunResult result)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        // The query that reads the view and the reset are this class's own; everything else ran during the scenario.
        await using var command = new NpgsqlCommand(
            "SELECT calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) FROM pg_stat_statements " +
            "WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC LIMIT 15", connection);
        await using var reader = await command.ExecuteReaderAsync();
        long total = 0;
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            var calls = reader.GetInt64(0);
            total += calls;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"    {(double)calls / result.Messages,8:0.000}/msg  {calls,9:N0} calls  {reader.GetInt64(1),9:N0} rows  {reader.GetDouble(2) * 1000 / result.Messages,7:0.0} µs exec/msg  {reader.GetString(3)}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  PostgreSQL statements during {result.System} / {result.Scenario}: {(double)total / result.Messages:0.000} per message (top 15)"));
        foreach (var line in lines)
            Console.WriteLine(line);
    }
}
