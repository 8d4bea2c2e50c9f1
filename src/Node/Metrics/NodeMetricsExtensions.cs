using Mesh.Core.Configuration;
using Mesh.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Node.Metrics;

/// <summary>
/// A node process's <c>/metrics</c> (when <see cref="MetricsConfig.NodeServes"/>): the <c>Mesh.Node</c> meter through the
/// shared <see cref="PrometheusExport"/>, on its own listener (<see cref="MetricsListener"/>). Off, the exporter is
/// never added, so a node without metrics does not load it.
/// </summary>
internal static class NodeMetricsExtensions
{
    public static IServiceCollection AddNodeMetrics(this IServiceCollection services, MeshConfig config)
    {
        services.AddSingleton<IObservableInstruments, DiskMetrics>();
        return services.AddPrometheusExport("mesh-node", NodeMeter.Name);
    }

    public static void MapNodeMetrics(this WebApplication app) => app.MapPrometheusExport();
}
