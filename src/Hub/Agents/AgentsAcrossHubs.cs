using System.Threading.Channels;
using Mesh.Hub.Cluster;

namespace Mesh.Hub.Agents;

/// <summary>
/// Agents written by another hub (a definition made through its REST API, statuses from the nodes it holds): this
/// hub reads its <see cref="AgentStore"/> again, at most one reload at a time and one for any burst of
/// notifications, then tells its listeners (pages, feeds). A missed notification reloads everything.
/// </summary>
internal sealed class AgentsAcrossHubs(IHubBus bus, AgentStore store, IEnumerable<IAgentChangeListener> listeners, ILogger<AgentsAcrossHubs> logger) : BackgroundService
{
    private readonly Channel<bool> _reload = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(AgentStore.Channel, (notification, _) =>
        {
            var agentId = "*";
            if (notification.Missed || store.FromElsewhere(notification.Message!, out agentId))
            {
                lock (_changed)
                    _changed.Add(agentId);
                _reload.Writer.TryWrite(true);
            }

            return Task.CompletedTask;
        });
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var _ in _reload.Reader.ReadAllAsync(stoppingToken))
            {
                string[] changed;
                lock (_changed)
                {
                    changed = [.. _changed];
                    _changed.Clear();
                }

                try
                {
                    await store.ReloadAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is Storage.StoreException or System.Data.Common.DbException or TimeoutException)
                {
                    AgentsLog.ReloadFailed(logger, ex.Message);
                    continue;
                }

                foreach (var agentId in changed.Contains("*") ? store.List().Select(a => a.Id) : changed)
                {
                    foreach (var listener in listeners)
                        listener.AgentChanged(agentId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
