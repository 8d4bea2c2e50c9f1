namespace Mesh.Hub.Nodes.Registry;

/// <summary>Loads the registry at start and writes coalesced live state every few seconds, in one transaction (then tells the other hubs, if any).</summary>
internal sealed class LiveStateFlusher(NodeRegistry registry, INodeStore store, INodeStoreChanges changes, TimeProvider time, ILogger<LiveStateFlusher> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await registry.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(registry.Options.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        var updates = registry.TakeDirty();
        if (updates.Count == 0)
            return;
        try
        {
            await store.UpdateLiveStateAsync(updates, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            registry.Requeue(updates);
            RegistryLog.FlushFailed(logger, updates.Count, ex.Message);
            return;
        }

        changes.Written([.. updates.Select(u => u.Id)]);
    }
}
