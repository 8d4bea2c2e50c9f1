using Mesh.Core.Configuration;
using Mesh.Hosting.Metrics;
using Mesh.Hub.Web;

namespace Mesh.Hub.Metrics;

/// <summary>
/// <c>/metrics</c> on the web listener: the <c>Mesh.Hub</c> meter (and Kestrel's connection meter) through the shared
/// <see cref="PrometheusExport"/>. <c>[metrics] require_auth</c> (the default) admits root and viewer API tokens and
/// UI sessions; <c>false</c> lets anyone who reaches the listener scrape.
/// </summary>
public static class MetricsExtensions
{
    public static IServiceCollection AddHubMetrics(this IServiceCollection services, MeshConfig config) =>
        config.Metrics.Enabled ? services.AddPrometheusExport("mesh-hub", HubMeter.Name, PrometheusExport.KestrelMeter) : services;

    /// <summary>Creates every capability's observable instruments and maps the scrape endpoint (when enabled).</summary>
    public static void MapHubMetrics(this WebApplication app, MeshConfig config)
    {
        if (!config.Metrics.Enabled)
            return;
        var endpoint = app.MapPrometheusExport().WithMetadata(new WebAuth.ForPrograms());
        if (config.Metrics.RequireAuth)
            endpoint.RequireAuthorization(WebAuth.ViewerPolicy);
        else
            endpoint.AllowAnonymous();
    }
}
