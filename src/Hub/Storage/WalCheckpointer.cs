using Microsoft.Data.Sqlite;

namespace Mesh.Hub.Storage;

/// <summary>
/// Keeps the WAL short off the write path: a PASSIVE checkpoint every <see cref="Interval"/> (never blocks a writer
/// or reader; frames a reader still needs wait for the next round) and a TRUNCATE at shutdown.
/// </summary>
internal sealed class WalCheckpointer(HubDatabase database, TimeProvider time, ILogger<WalCheckpointer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SqliteConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken);
                try
                {
                    connection ??= await database.OpenAsync(stoppingToken);
                    var result = await database.CheckpointAsync(connection, truncate: false, stoppingToken);
                    if (result.LogFrames > 0)
                        StorageLog.Checkpointed(logger, result.CheckpointedFrames, result.LogFrames);
                }
                catch (SqliteException ex)
                {
                    StorageLog.CheckpointFailed(logger, ex.Message);
                    await DisposeAsync(connection);
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await TruncateAsync(connection);
        }
    }

    private async Task TruncateAsync(SqliteConnection? connection)
    {
        try
        {
            connection ??= await database.OpenAsync(CancellationToken.None);
            await database.CheckpointAsync(connection, truncate: true, CancellationToken.None);
        }
        catch (SqliteException ex)
        {
            StorageLog.CheckpointFailed(logger, ex.Message);
        }
        finally
        {
            await DisposeAsync(connection);
        }
    }

    private static ValueTask DisposeAsync(SqliteConnection? connection) => connection?.DisposeAsync() ?? ValueTask.CompletedTask;
}

internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1301, EventName = "WalCheckpointed", Level = LogLevel.Trace, Message = "WAL checkpoint: {Checkpointed} of {Frames} frames in the database.")]
    public static partial void Checkpointed(ILogger logger, int checkpointed, int frames);

    [LoggerMessage(EventId = 1302, EventName = "WalCheckpointFailed", Level = LogLevel.Warning, Message = "WAL checkpoint failed (retried next round): {Reason}")]
    public static partial void CheckpointFailed(ILogger logger, string reason);
}
