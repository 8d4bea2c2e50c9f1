using Mesh.Core.Tests;
using Mesh.Hub.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Hub.Tests.Storage;

/// <summary>Commits never checkpoint in line; the background checkpointer copies the WAL and empties it at shutdown.</summary>
public sealed class WalCheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly HubDatabase _database;

    public WalCheckpointTests()
    {
        _database = new HubDatabase(Path.Combine(_dir.Path, "mesh.db"), []);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    private string WalPath => _database.Path + "-wal";

    private async Task WriteAsync(int rows)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)";
        await command.ExecuteNonQueryAsync();
        for (var i = 0; i < rows; i++)
        {
            // One commit per row, like the mailbox writer's small batches.
            command.CommandText = "INSERT INTO filler (body) VALUES (randomblob(3000))";
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Commits_NeverCheckpoint_SoTheWalHoldsEverythingUntilACheckpoint()
    {
        await _database.InitializeAsync(CancellationToken.None);
        await WriteAsync(1500); // ≈ 1,500+ pages: past SQLite's default auto-checkpoint threshold of 1,000

        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var passive = await _database.CheckpointAsync(connection, truncate: false, CancellationToken.None);

        Assert.False(passive.Busy);
        Assert.True(passive.LogFrames > 1500, $"the WAL was checkpointed in line: only {passive.LogFrames} frames left");
        Assert.Equal(passive.LogFrames, passive.CheckpointedFrames);
        var truncate = await _database.CheckpointAsync(connection, truncate: true, CancellationToken.None);
        Assert.Equal((false, 0), (truncate.Busy, truncate.LogFrames));
        Assert.Equal(0, new FileInfo(WalPath).Length);
    }

    [Fact]
    public async Task Checkpointer_CopiesTheWalInTheBackground_AndEmptiesItAtShutdown()
    {
        await _database.InitializeAsync(CancellationToken.None);
        using var checkpointer = new WalCheckpointer(_database, TimeProvider.System, NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(CancellationToken.None);
        var before = new FileInfo(_database.Path).Length;

        await WriteAsync(300);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (new FileInfo(_database.Path).Length < before + 300 * 3000 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        var copied = new FileInfo(_database.Path).Length;
        await checkpointer.StopAsync(CancellationToken.None);

        Assert.True(copied >= before + 300 * 3000, $"no checkpoint copied the rows into {_database.Path} ({copied} bytes)");
        Assert.Equal(0, new FileInfo(WalPath).Length);
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM filler";
        Assert.Equal(300L, (long)(await count.ExecuteScalarAsync())!);
    }
}
