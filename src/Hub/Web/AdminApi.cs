namespace Mesh.Hub.Web;

/// <summary>The admin REST API's shell: problem details, snake_case JSON, and the root-only /api/admin group capabilities map their endpoints on.</summary>
public static class AdminApiExtensions
{
    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        // The bearer-token scheme is the default (Access registers its handler); the root and viewer policies, which
        // also accept the UI cookie, are defined once in WebAuth.
        services.AddAuthentication(WebAuth.ApiTokenScheme);
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
        return app.MapGroup("/api/admin").RequireAuthorization(AdminRoles.RootPolicy);
    }
}
