using Microsoft.AspNetCore.Mvc.ApplicationParts;
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
        services.AddRazorPages(o =>
        {
            // Pages live beside their capability (Nodes/Pages, Mailbox/Messages/Pages, …); every one has an absolute @page route.
            o.RootDirectory = "/";
            o.Conventions.AuthorizeFolder("/", WebAuth.ViewerPolicy);
            // Every page needs a login (the viewer role at least); a page that needs root, or none, says so with an
            // [Authorize]/[AllowAnonymous] attribute on its model.
        }).ConfigureApplicationPartManager(AddHubPages);
        return services;
    }

    /// <summary>
    /// The pages are compiled into this library: MVC finds them from the entry assembly's references only (mesh), so
    /// a host that is not mesh (a test process) would serve none. Added once, whoever the entry assembly is.
    /// </summary>
    private static void AddHubPages(ApplicationPartManager manager)
    {
        var hub = typeof(WebUiExtensions).Assembly;
        if (manager.ApplicationParts.Any(p => p is AssemblyPart part && part.Assembly == hub))
            return;
        foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(hub).GetApplicationParts(hub))
            manager.ApplicationParts.Add(part);
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
        app.MapRazorPages();
        return app;
    }
}
