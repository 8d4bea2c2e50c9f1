using Mesh.Hub.Mailbox;
using Microsoft.AspNetCore.Authentication;

namespace Mesh.Hub.AdminApi;

public static class AdminApiExtensions
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.AddAuthentication(ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminRoles.RootPolicy, policy => policy.AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName).RequireRole(AdminRoles.Root));
        services.AddProblemDetails();
        return services;
    }

    /// <summary>The /api/admin group, root only. Other capabilities add their endpoints to the returned group.</summary>
    public static RouteGroupBuilder MapAdminApi(this WebApplication app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(AdminRoles.RootPolicy);
        admin.MapJoinTokenEndpoints();
        admin.MapNodeRemovalEndpoints();
        admin.MapAuditEndpoints();
        admin.MapMailboxAdminApi();
        return admin;
    }
}
