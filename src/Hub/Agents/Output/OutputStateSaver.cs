namespace Mesh.Hub.Agents.Output;

/// <summary>
/// Saves the output streams' grown ends every <see cref="OutputFiles.SaveInterval"/> and once more at shutdown, so
/// <see cref="OutputFiles"/> writes a stream's state file once a second at most instead of once per chunk.
/// </summary>
internal sealed class OutputStateSaver(OutputFiles files, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(OutputFiles.SaveInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await files.SaveChangedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await files.SaveChangedAsync(cancellationToken);
    }
}
