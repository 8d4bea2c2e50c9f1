using Mesh.Hub.Storage;
using Mesh.Hub.AdminApi;
using Mesh.Hub.Web.Accounts;
using Microsoft.Extensions.FileProviders;

namespace Mesh.Hub.Web;

/// <summary>The operator web UI, its authentication (cookies, root account, UI-created API tokens) and the OpenAPI document.</summary>
public static class WebUiExtensions
{
    public static IServiceCollection AddOperatorUi(this IServiceCollection services)
    {
        services.AddOpenApi();
        services.AddSingleton<IMigrationSource, AccountMigrations>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<IApiTokenVerifier>(sp => sp.GetRequiredService<ApiTokens>());
        services.AddSingleton<RootPasswordOutput>();
        services.AddHostedService<RootAccountInitializer>();
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
            o.RootDirectory = "/Web/Pages";
            o.Conventions.AuthorizeFolder("/", WebAuth.ViewerPolicy);
            o.Conventions.AllowAnonymousToPage("/Login");
            o.Conventions.AuthorizePage("/Join", AdminRoles.RootPolicy);
            o.Conventions.AuthorizePage("/Access", AdminRoles.RootPolicy);
            // The nodes page is the hub's front page, ahead of the plain status text.
            o.Conventions.AddPageRouteModelConvention("/Index", model =>
            {
                foreach (var selector in model.Selectors)
                    selector.AttributeRouteModel!.Order = -1;
            });
        });
        services.AddSingleton(new UiNavItem("Nodes", "/", 10));
        services.AddSingleton(new UiNavItem("Join a node", "/join", 20, RootOnly: true));
        services.AddSingleton(new UiNavItem("Audit", "/audit", 90));
        services.AddSingleton(new UiNavItem("Access", "/access", 95, RootOnly: true));
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
        app.MapUiStream();
        app.MapMailboxStreams();
        app.MapRazorPages();
        return app;
    }
}
