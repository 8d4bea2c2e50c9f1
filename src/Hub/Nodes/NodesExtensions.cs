using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Nodes.Provisioning;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Web;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Nodes;

public static class NodesExtensions
{
    /// <summary>
    /// The node lifecycle: the registry, the deny-list, joining, live sessions, and on top of them removal, the REST
    /// API, the nodes pages and their live stream. Needs AddAudit and AddInternalApi.
    /// </summary>
    public static IServiceCollection AddNodes(this IServiceCollection services, Core.Configuration.MeshConfig config)
    {
        services.AddRegistry(clustered: config.Store.Postgres is not null).AddRevocation().AddJoin().AddProvisioning().AddNodeSessions(config);
        services.AddSingleton<NodeRemoval>();
        services.AddHostedService<RemovalAcrossHubs>();
        services.AddSingleton<NodesFeed>();
        services.AddSingleton<INodeChangeListener>(sp => sp.GetRequiredService<NodesFeed>());
        services.AddSingleton(new UiNavItem("Nodes", "/", 10));
        // The nodes page is the hub's front page, ahead of the plain status text.
        services.Configure<RazorPagesOptions>(o => o.Conventions.AddPageRouteModelConvention("/Nodes/Pages/Index", model =>
        {
            foreach (var selector in model.Selectors)
                selector.AttributeRouteModel!.Order = -1;
        }));
        return services;
    }

    /// <summary>Loads the deny-list before any listener accepts a connection.</summary>
    public static Task InitializeNodesAsync(this IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<RevocationRegistry>().LoadAsync(cancellationToken);

    /// <summary>The node REST API (on the /api/admin group), the cluster API, and the nodes page's live stream.</summary>
    public static void MapNodes(this WebApplication app, RouteGroupBuilder admin)
    {
        admin.MapNodeEndpoints();
        admin.MapJoinTokenEndpoints();
        app.MapJoin();
        admin.MapNodeRemovalEndpoints();
        app.MapClusterApi(WebAuth.ViewerPolicy);
        app.MapNodesStream();
        app.MapJoinProgressStream();
        app.MapNodeDetailStream();
    }
}
