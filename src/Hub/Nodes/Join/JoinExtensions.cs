using Mesh.Hub.InternalApi;
using Mesh.Hub.Nodes.Join.Install;
using Mesh.Hub.Storage;
using Mesh.Hub.Web;

namespace Mesh.Hub.Nodes.Join;

public static class JoinExtensions
{
    public static IServiceCollection AddJoin(this IServiceCollection services)
    {
        // POST /api/admin/join-tokens binds its body through the minimal API's JSON options: source-generated for Native AOT.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, JoinBodyJson.Default));
        services.AddSingleton<IMigrationSource, JoinMigrations>();
        services.AddSingleton<IJoinTokenStore, JoinTokenStore>();
        services.AddSingleton<SourceFailureLimiter>();
        services.AddSingleton<JoinTokenService>();
        services.AddSingleton<JoinMetrics>();
        services.AddSingleton<EnrollmentService>();
        services.AddSingleton<JoinedNodes>();
        services.AddSingleton<CreatedJoinTokens>();
        services.AddSingleton<JoinAddressResolver>();
        services.AddSingleton<MeshPackage>();
        services.AddInternalGrpcService<JoinRpcService>(JoinRpcService.AnonymousMethods);
        services.AddSingleton(new UiNavItem("Join a node", "/join", 20, RootOnly: true));
        return services;
    }

    /// <summary>The install script and what it downloads, without a login (Install/InstallEndpoints).</summary>
    /// <summary>The one-line install's downloads and the Join page (root).</summary>
    public static void MapJoin(this WebApplication app)
    {
        app.MapJoinInstall();
        var pages = app.MapUiPages().RequireAuthorization(Web.AdminRoles.RootPolicy);
        pages.MapPage<Pages.JoinModel>("/join", m => m.OnGetAsync());
        pages.MapForm<Pages.JoinModel>("/join", ("Create", m => m.OnPostCreateAsync()), ("Revoke", m => m.OnPostRevokeAsync()));
    }
}
