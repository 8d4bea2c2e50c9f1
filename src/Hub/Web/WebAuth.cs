using Mesh.Hub.Web;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Mesh.Hub.Web;

/// <summary>
/// Two ways in: the REST bearer token (ApiToken scheme) and the UI cookie. A policy scheme picks one per request
/// (a request with an Authorization header is a REST call); the root policy accepts either, the viewer policy
/// also admits the read-only viewer role. API paths answer 401/403 as problem details, UI paths redirect to /login.
/// </summary>
public static class WebAuth
{
    public const string CookieScheme = "MeshCookie";
    public const string EitherScheme = "MeshAuth";
    public const string ViewerPolicy = "viewer";

    /// <summary>The bearer-token scheme of the REST API (registered by Access, which knows the tokens).</summary>
    public const string ApiTokenScheme = "ApiToken";

    public static IServiceCollection AddWebAuth(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "mesh_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => Deny(context.HttpContext, StatusCodes.Status401Unauthorized, () => context.Response.Redirect(context.RedirectUri));
                o.Events.OnRedirectToAccessDenied = context => Deny(context.HttpContext, StatusCodes.Status403Forbidden, null);
            })
            .AddPolicyScheme(EitherScheme, "API token or UI cookie", o =>
                o.ForwardDefaultSelector = context => context.Request.Headers.Authorization.Count > 0 ? ApiTokenScheme : CookieScheme);

        // The only definition of the two policies (REST endpoints and pages both use them).
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminRoles.RootPolicy, p => p.AddAuthenticationSchemes(EitherScheme).RequireRole(AdminRoles.Root))
            .AddPolicy(ViewerPolicy, p => p.AddAuthenticationSchemes(EitherScheme).RequireRole(AdminRoles.Root, AdminRoles.Viewer));
        return services;
    }

    /// <summary>
    /// Endpoint metadata for an endpoint read by programs outside /api (a metrics scraper): refused as an API path
    /// is (401/403 as problem details), never redirected to the login page.
    /// </summary>
    public sealed class ForPrograms;

    private static Task Deny(HttpContext http, int status, Action? redirect)
    {
        var isApi = http.Request.Path.StartsWithSegments("/api") || http.Request.Path.StartsWithSegments("/ui")
            || http.GetEndpoint()?.Metadata.GetMetadata<ForPrograms>() is not null;
        if (!isApi && redirect is not null)
        {
            redirect();
            return Task.CompletedTask;
        }

        http.Response.StatusCode = status;
        if (isApi)
        {
            return new ProblemBody(status == 401 ? "Unauthorized" : "Forbidden", status, status == 401 ? "log in or send Authorization: Bearer <api token>" : "this needs the root role")
                .WriteAsync(http.Response);
        }

        return Task.CompletedTask; // no body: ErrorPages renders the 403 page in the layout
    }
}
