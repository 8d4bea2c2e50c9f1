using Mesh.Core.Configuration;
using Mesh.Hosting.Metrics;
using Mesh.Hub.Web;

namespace Mesh.Hub.Metrics;

/// <summary>
/// <c>/metrics</c> on the web listener: the <c>Mesh.Hub</c> meter (and Kestrel's connection meter) through the shared
/// <see cref="PrometheusExport"/>, and with <c>[server] embedded_node</c> the embedded node's <c>Mesh.Node</c> meter
/// (it runs in this process, with no listener of its own to scrape). <c>[metrics] require_auth</c> (the default) admits root and viewer API tokens and
/// UI sessions; <c>false</c> lets anyone who reaches the listener scrape.
/// </summary>
public static class MetricsExtensions
{
    /// <summary>The node's meter name (the hub does not reference the node's assembly; the name is the contract).</summary>
    public const string EmbeddedNodeMeter = "Mesh.Node";

    public static IServiceCollection AddHubMetrics(this IServiceCollection services, MeshConfig config) =>
        !config.Metrics.Enabled ? services
        : config.Server.EmbeddedNode ? services.AddPrometheusExport("mesh-hub", HubMeter.Name, PrometheusExport.KestrelMeter, EmbeddedNodeMeter)
        : services.AddPrometheusExport("mesh-hub", HubMeter.Name, PrometheusExport.KestrelMeter);

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
