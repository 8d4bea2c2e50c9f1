using Mesh.Hub.InternalApi;
using Mesh.Hub.Mailbox.Common;
using Mesh.Hub.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Hub.Health;

/// <summary>
/// The hub serves (grpc.health.v1 SERVING, /readyz 200) once its store is open and its CA is loaded and valid, stops
/// serving while the store cannot be reached (and serves again when it answers), and as soon as it begins to shut down.
/// </summary>
internal sealed class HubReadinessCheck(MailboxDatabase mailbox, StoreAvailability store, HubIdentity identity, TimeProvider time, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return HealthCheckResult.Unhealthy("the hub is shutting down");
        if (!mailbox.IsOpen)
            return HealthCheckResult.Unhealthy("the store is not open yet");
        if (store.Problem is { } problem)
            return HealthCheckResult.Unhealthy($"the store is unavailable: {problem}");
        var ca = identity.Authority.Certificate;
        var now = time.GetUtcNow();
        if (now < ca.NotBefore.ToUniversalTime() || now > ca.NotAfter.ToUniversalTime())
            return HealthCheckResult.Unhealthy($"the hub CA is not valid now (valid {Mesh.Core.TimeText.Iso(ca.NotBefore.ToUniversalTime())} to {Mesh.Core.TimeText.Iso(ca.NotAfter.ToUniversalTime())})");
        return HealthCheckResult.Healthy();
    }
}
