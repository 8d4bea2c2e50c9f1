using Mesh.Node.Connection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Mesh.Node.LocalApi;

/// <summary>
/// The node's readiness on its local endpoint: SERVING while it holds a live connection to the hub (every mailbox
/// call can be relayed), NOT_SERVING before the first connection, while the hub is away (sends still queue in the
/// outbox) and from the start of shutdown.
/// </summary>
internal sealed class NodeReadinessCheck(CurrentHubConnection hub, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("the node's local endpoint is stopping")
            : hub.Connection is null ? HealthCheckResult.Unhealthy("the node is not connected to the hub")
            : HealthCheckResult.Healthy());
}
