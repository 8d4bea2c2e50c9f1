using Grpc.HealthCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Mesh.Hosting;

public static class GrpcHealthExtensions
{
    /// <summary>
    /// grpc.health.v1 through Grpc.AspNetCore.HealthChecks: Check runs the registered health checks on every call,
    /// Watch streams their published results, and from the moment the host begins to stop every watcher is told
    /// NOT_SERVING before its stream ends (the checks themselves must report unhealthy from then on).
    /// </summary>
    public static IHealthChecksBuilder AddMeshGrpcHealth(this IServiceCollection services)
    {
        var builder = services.AddGrpcHealthChecks();
        // Watch streams see what the publisher last found: every 5 s (the default 30 s would hide a lost store or hub
        // that long). The first run stays 5 s after start, once start-up is done: a "not ready yet" then is no news.
        services.Configure<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckPublisherOptions>(o => o.Period = TimeSpan.FromSeconds(5));
        services.AddHostedService<NotServingOnShutdown>();
        return builder;
    }

    private sealed class NotServingOnShutdown(HealthServiceImpl health, IHostApplicationLifetime lifetime) : IHostedService
    {
        private CancellationTokenRegistration _stopping;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _stopping = lifetime.ApplicationStopping.Register(Stop);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stop();
            _stopping.Dispose();
            return Task.CompletedTask;
        }

        // Every watcher sees NOT_SERVING; Grpc.AspNetCore.HealthChecks then ends the Watch streams so the server can stop.
        private void Stop()
        {
            health.SetStatus(string.Empty, ServingStatus.NotServing);
        }
    }
}
