using Mesh.Core.Configuration;
using Mesh.Hub.Web;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mesh.Hub.Metrics;

/// <summary>
/// <c>/metrics</c> on the web listener: the <c>Mesh.Hub</c> meter (and Kestrel's connection meter) in the
/// Prometheus text format, through OpenTelemetry's exporter. <c>[metrics] require_auth</c> (the default) admits
/// root and viewer API tokens and UI sessions; <c>false</c> lets anyone who reaches the listener scrape.
/// </summary>
public static class MetricsExtensions
{
    public const string Path = "/metrics";

    /// <summary>Kestrel's meter: connections, TLS handshakes (with their errors), connections refused at the cap.</summary>
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    public static IServiceCollection AddHubMetrics(this IServiceCollection services, MeshConfig config)
    {
        if (!config.Metrics.Enabled)
            return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("mesh-hub"))
            .WithMetrics(metrics => metrics
                .AddMeter(HubMeter.Name, KestrelMeter)
                // Every scrape sees the instruments as they are now (the exporter's default caches a response for 300 ms).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Creates every capability's observable instruments and maps the scrape endpoint (when enabled).</summary>
    public static void MapHubMetrics(this WebApplication app, MeshConfig config)
    {
        if (!config.Metrics.Enabled)
            return;
        _ = app.Services.GetServices<IObservableInstruments>().ToList();
        var endpoint = app.MapPrometheusScrapingEndpoint(Path).WithMetadata(new WebAuth.ForPrograms());
        if (config.Metrics.RequireAuth)
            endpoint.RequireAuthorization(WebAuth.ViewerPolicy);
        else
            endpoint.AllowAnonymous();
    }
}
