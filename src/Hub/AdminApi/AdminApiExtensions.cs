using Mesh.Hub.Mailbox;
using Microsoft.AspNetCore.Authentication;

namespace Mesh.Hub.AdminApi;

public static class AdminApiExtensions
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        // The bearer-token scheme only; the root and viewer policies, which also accept the UI cookie, are defined
        // once in Web/WebAuth.
        services.AddAuthentication(ApiTokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            // Request bodies are snake_case like responses, and a misspelled field is an error, not silently ignored.
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });
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
