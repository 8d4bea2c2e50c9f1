using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mesh.Hosting.Metrics;

/// <summary>
/// The Prometheus text format at <c>/metrics</c> for both roles, through OpenTelemetry's exporter over
/// <c>System.Diagnostics.Metrics</c>. Each role maps the endpoint and decides who may read it.
/// </summary>
public static class PrometheusExport
{
    public const string Path = "/metrics";

    /// <summary>Kestrel's meter: connections, TLS handshakes (with their errors), connections refused at the cap.</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    /// <summary>Exports <paramref name="meters"/> as <c>service_name</c> <paramref name="service"/> (on <c>target_info</c>).</summary>
    public static IServiceCollection AddPrometheusExport(this IServiceCollection services, string service, params string[] meters)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service))
            .WithMetrics(metrics => metrics
                .AddMeter(meters)
                // Every scrape sees the instruments as they are now (the exporter's default caches a response for 300 ms).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Creates every capability's observable instruments, then maps the scrape endpoint at <see cref="Path"/>.</summary>
    public static IEndpointConventionBuilder MapPrometheusExport(this WebApplication app)
    {
        _ = app.Services.GetServices<IObservableInstruments>().ToList();
        return app.MapPrometheusScrapingEndpoint(Path);
    }
}
