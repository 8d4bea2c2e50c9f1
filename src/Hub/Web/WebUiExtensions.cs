using Microsoft.Extensions.FileProviders;

namespace Mesh.Hub.Web;

/// <summary>
/// The web shell every capability's pages plug into: cookie authentication and the two policies, antiforgery, the
/// layout and its navigation, security headers, refused request bodies, the embedded assets and the OpenAPI document.
/// It knows no capability: each registers its own pages, navigation entry and endpoints.
/// </summary>
public static class WebUiExtensions
{
    public static IServiceCollection AddOperatorUi(this IServiceCollection services)
    {
        services.AddOpenApi();
        services.AddWebAuth();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "RequestVerificationToken";
            o.Cookie.Name = "mesh_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure over HTTPS; plain HTTP stays usable on loopback
        });
        // Pages live beside their capability (Nodes/Pages, …) as Razor Slices that its endpoints render (UiPages).
        return services;
    }

    public static WebApplication MapOperatorUi(this WebApplication app)
    {
        app.UseBadRequestBodies();
        app.UseSecurityHeaders();
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new ManifestEmbeddedFileProvider(typeof(WebUiExtensions).Assembly, "wwwroot"),
            RequestPath = "/assets",
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
        app.MapOpenApi();
        Pages.ShellPages.Map(app.MapUiPages());
        return app;
    }
}
