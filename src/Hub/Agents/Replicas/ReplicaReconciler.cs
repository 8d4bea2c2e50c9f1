using System.Threading.Channels;
using Mesh.Hub.Nodes.Registry;

namespace Mesh.Hub.Agents.Replicas;

/// <summary>
/// Runs <see cref="ReplicaService.ReconcileAsync"/> when an agent or a node changed (a drained replica reported
/// stopped, a node came online or freed a slot) and every few seconds regardless, so a missed hint costs a delay only.
/// </summary>
public sealed class ReplicaReconciler(ReplicaService replicas, ReplicaSignal signal, TimeProvider time, ILogger<ReplicaReconciler> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await replicas.ReconcileAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A pass cut short by shutdown is not a failure worth a warning.
                if (!stoppingToken.IsCancellationRequested)
                    ReplicaLog.ReconcileFailed(logger, ex);
            }

            using var period = new CancellationTokenSource(Period, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, period.Token);
            try
            {
                await signal.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }
}

/// <summary>A coalescing wake-up for <see cref="ReplicaReconciler"/>: many changes in a row make one pass.</summary>
public sealed class ReplicaSignal : IAgentChangeListener, INodeChangeListener
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public ChannelReader<bool> Reader => _channel.Reader;

    public void AgentChanged(string agentId) => _channel.Writer.TryWrite(true);

    public void NodeChanged(string nodeId, bool membershipChanged) => _channel.Writer.TryWrite(true);
}
