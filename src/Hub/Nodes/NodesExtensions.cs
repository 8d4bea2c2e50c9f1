using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Nodes.Provisioning;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Revocation;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Web;

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
        // The drain endpoint binds its body through the minimal API's JSON options: source-generated for Native AOT.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, NodeBodyJson.Default));
        services.AddHostedService<RemovalAcrossHubs>();
        services.AddSingleton<NodesFeed>();
        services.AddSingleton<INodeChangeListener>(sp => sp.GetRequiredService<NodesFeed>());
        services.AddSingleton(new UiNavItem("Nodes", "/", 10));
        return services;
    }

    /// <summary>Loads the deny-list before any listener accepts a connection.</summary>
    public static Task InitializeNodesAsync(this IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<RevocationRegistry>().LoadAsync(cancellationToken);

    /// <summary>The node REST API (on the /api/admin group), the cluster API, the nodes pages and their live streams.</summary>
    public static void MapNodes(this WebApplication app, RouteGroupBuilder admin)
    {
        admin.MapNodeEndpoints();
        admin.MapJoinTokenEndpoints();
        app.MapJoin();
        app.MapProvisioning();
        var pages = app.MapUiPages();
        pages.MapPage<Pages.IndexModel>("/", m => m.OnGet());
        pages.MapForm<Pages.IndexModel>("/", ("Register", m => m.OnPostRegisterAsync()));
        pages.MapPage<Pages.DetailModel>("/nodes/{id}", m => m.OnGet());
        pages.MapForm<Pages.DetailModel>("/nodes/{id}", ("Test", m => m.OnPostTestAsync()), ("Edit", m => m.OnPostEditAsync()), ("Remove", m => m.OnPostRemoveAsync()));
        admin.MapNodeRemovalEndpoints();
        app.MapClusterApi(WebAuth.ViewerPolicy);
        app.MapNodesStream();
        app.MapJoinProgressStream();
        app.MapNodeDetailStream();
    }
}
