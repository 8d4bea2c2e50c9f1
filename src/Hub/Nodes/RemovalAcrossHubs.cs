using Mesh.Hub.Cluster;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Nodes.Sessions;

namespace Mesh.Hub.Nodes;

/// <summary>
/// A node removed on another hub: this hub reloads its deny-list (so the node's certificates fail here too) and
/// closes the node's session if it holds it, at once, as <see cref="NodeRemoval"/> does on the hub where it happened.
/// After a missed notification every session here is checked against the reloaded list.
/// </summary>
internal sealed class RemovalAcrossHubs(IHubBus bus, RevocationRegistry revocations, NodeSessionManager sessions) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(RevocationRegistry.Channel, async (notification, token) =>
        {
            await revocations.ReloadAsync(token);
            foreach (var nodeId in notification.Missed ? sessions.LocalNodes : [notification.Message!])
            {
                if (revocations.NodeRevokedAt(nodeId) is { } removedAt)
                    sessions.CloseRemoved(nodeId, removedAt);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
