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
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<IApiTokenVerifier>(sp => sp.GetRequiredService<ApiTokens>());
        services.AddSingleton<RootPasswordOutput>();
        services.AddHostedService<RootAccountInitializer>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(WebAuth.ApiTokenScheme, null);
        services.AddSingleton(new UiNavItem("Access", "/access", 95, RootOnly: true));
        return services;
    }
}
