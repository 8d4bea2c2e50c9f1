using Mesh.Hub.Storage;
using Mesh.Hub.Web;
using Microsoft.AspNetCore.Authentication;

namespace Mesh.Hub.Access;

public static class AccessExtensions
{
    /// <summary>
    /// Who may use the UI and the REST API: UI accounts (the root account, viewers, password logins), API tokens
    /// (the configured one and those created in the UI) behind the REST bearer scheme, and the Access page.
    /// </summary>
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddSingleton<IMigrationSource, AccountMigrations>();
        services.AddSingleton<IAccountStore, AccountStore>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<LoginService>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<PasswordReset>();
        services.AddSingleton<RecentSecrets<CreatedApiToken>>();
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<IApiTokenVerifier>(sp => sp.GetRequiredService<ApiTokens>());
        services.AddSingleton<RootPasswordOutput>();
        services.AddHostedService<RootAccountInitializer>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(WebAuth.ApiTokenScheme, null);
        services.AddSingleton(new UiNavItem("Access", "/access", 95, RootOnly: true));
        // A removed account's cookie stops working at its next request, not when it would have expired.
        services.PostConfigure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(WebAuth.CookieScheme, o =>
            o.Events.OnValidatePrincipal = async context =>
            {
                var store = context.HttpContext.RequestServices.GetRequiredService<IAccountStore>();
                if (context.Principal?.Identity?.Name is not { } name || await store.GetUserAsync(name, context.HttpContext.RequestAborted) is null)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(WebAuth.CookieScheme);
                }
            });
        return services;
    }

    /// <summary>The Login, Account and Access pages.</summary>
    public static WebApplication MapAccess(this WebApplication app)
    {
        Pages.AccessPages.Map(app.MapUiPages());
        return app;
    }
}
