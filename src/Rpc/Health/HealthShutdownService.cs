using Microsoft.Extensions.Hosting;

namespace Mesh.Rpc.Health;

/// <summary>Turns every health status NOT_SERVING as soon as the host starts stopping.</summary>
internal sealed class HealthShutdownService(RpcHealthService health, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(health.Shutdown);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        health.Shutdown();
        _registration.Dispose();
        return Task.CompletedTask;
    }
}
