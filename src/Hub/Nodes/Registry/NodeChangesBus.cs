using Mesh.Hub.Cluster;

namespace Mesh.Hub.Nodes.Registry;

/// <summary>Node rows this hub has just written (records, live state), for the other hubs on the same store.</summary>
internal interface INodeStoreChanges
{
    void Written(IReadOnlyCollection<string> nodeIds);
}

/// <summary>One hub (SQLite): nobody else reads the rows.</summary>
internal sealed class SingleHubNodeChanges : INodeStoreChanges
{
    public void Written(IReadOnlyCollection<string> nodeIds)
    {
    }
}

/// <summary>
/// The whole mesh in every hub's registry: each hub announces the node rows it wrote (after the commit) on the cluster
/// bus; the others read those rows and take them into their cache (<see cref="NodeRegistry.ApplyStored"/>), so a node
/// attached to one hub shows online, with its last heartbeat and facts, on every hub's UI and REST. After a Missed
/// signal (the bus reconnected) a hub re-reads every node.
/// </summary>
internal sealed class NodeChangesBus(IHubBus bus, LocalHub hub, [FromKeyedServices(RegistryExtensions.BackendStore)] INodeStore store, NodeRegistry registry,
    ILogger<NodeChangesBus> logger) : INodeStoreChanges, IHostedService
{
    public const string Channel = "nodes";

    // More ids than this in one announcement: the readers list every node instead (one query, not one per node).
    private const int MaxIds = 32;
    private IDisposable? _subscription;

    public void Written(IReadOnlyCollection<string> nodeIds)
    {
        if (nodeIds.Count == 0)
            return;
        var ids = nodeIds.Count > MaxIds ? "*" : string.Join(',', nodeIds);
        _ = PublishAsync(hub.Id + "|" + ids);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(Channel, HandleAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task HandleAsync(BusNotification notification, CancellationToken cancellationToken)
    {
        if (notification.Missed)
        {
            await ReadAllAsync(cancellationToken);
            return;
        }

        var bar = notification.Message!.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0 || notification.Message.AsSpan(0, bar).SequenceEqual(hub.Id))
            return; // our own rows: the cache has them already
        var ids = notification.Message[(bar + 1)..];
        if (ids == "*")
        {
            await ReadAllAsync(cancellationToken);
            return;
        }

        foreach (var id in ids.Split(','))
        {
            if (await store.GetAsync(id, cancellationToken) is { } record)
                registry.ApplyStored(record);
        }
    }

    private async Task ReadAllAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await store.ListAsync(cancellationToken))
            registry.ApplyStored(record);
    }

    private async Task PublishAsync(string message)
    {
        try
        {
            await bus.PublishAsync(Channel, message, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The next write announces again, and a hub that missed notifications re-reads everything.
            RegistryLog.AnnounceFailed(logger, ex.Message);
        }
    }
}
