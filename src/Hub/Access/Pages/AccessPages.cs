using System.Globalization;
using System.Security.Claims;
using Mesh.Hub.Web;
using Microsoft.AspNetCore.Authentication;

namespace Mesh.Hub.Access.Pages;

/// <summary>
/// The Login, Account and Access pages. /access (root): a post that succeeds redirects (post/redirect/get: a reload
/// re-posts nothing); the new token's secret waits for its creator in memory, the outcome line in a one-shot cookie
/// (<see cref="UiFlash"/>). A refused post answers 400 with the page and the reason.
/// </summary>
internal static class AccessPages
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapPage("/login", http => Task.FromResult(UiPages.Render(Login.Create(new LoginModel(null, null, http.Request.Query["returnUrl"])))))
            .AllowAnonymous();
        pages.MapForm("/login", LoginAsync).AllowAnonymous();
        pages.MapPage("/account", http => Task.FromResult(UiPages.Render(Account.Create(new AccountModel(http.Request.Query.ContainsKey("changed") ? "Password changed." : null, false)))));
        pages.MapForm("/account", ChangePasswordAsync);
        pages.MapPage("/access", ShowAccessAsync).RequireAuthorization(AdminRoles.RootPolicy);
        pages.MapForm("/access", ChangeAccessAsync).RequireAuthorization(AdminRoles.RootPolicy);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, IFormCollection form)
    {
        string? username = UiPages.Value(http, form, "username"), password = UiPages.Value(http, form, "password"), returnUrl = UiPages.Value(http, form, "returnUrl");
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            return UiPages.Render(Login.Create(new LoginModel("Enter your user name and password.", username, returnUrl)));
        var logins = http.RequestServices.GetRequiredService<LoginService>();
        var (outcome, user, retryAfter) = await logins.LoginAsync(username, password, http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
        if (outcome != LoginOutcome.Success)
        {
            var error = outcome == LoginOutcome.LockedOut
                ? $"Too many failed attempts. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} s."
                : "Wrong user name or password.";
            return UiPages.Render(Login.Create(new LoginModel(error, username, returnUrl)),
                outcome == LoginOutcome.LockedOut ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role)], WebAuth.CookieScheme);
        await http.SignInAsync(WebAuth.CookieScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(returnUrl is { Length: > 0 } url && UiPages.IsLocalUrl(url) ? url : "/");
    }

    private static async Task<IResult> ChangePasswordAsync(HttpContext http, IFormCollection form)
    {
        if (UiPages.Handler(http, form) != "Password")
            return Results.NotFound();
        var accounts = http.RequestServices.GetRequiredService<UserAccounts>();
        var problem = await accounts.ChangePasswordAsync(http.User.Identity?.Name ?? "", UiPages.Value(http, form, "current"), UiPages.Value(http, form, "next"),
            http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
        return problem is null
            ? Results.Redirect("/account?changed=1")
            : UiPages.Render(Account.Create(new AccountModel(problem, true)), StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ShowAccessAsync(HttpContext http)
    {
        string? newToken = null, gone = null;
        if (http.Request.Query["created"] is { Count: > 0 } createdId)
        {
            newToken = http.RequestServices.GetRequiredService<RecentSecrets<CreatedApiToken>>().Find(createdId.ToString(), Owner(http))?.Secret;
            gone = newToken is null ? createdId.ToString() : null;
        }

        return UiPages.Render(Access.Create(await LoadAsync(http, UiFlash.Take(http), false, newToken, gone)));
    }

    private static async Task<IResult> ChangeAccessAsync(HttpContext http, IFormCollection form)
    {
        var apiTokens = http.RequestServices.GetRequiredService<ApiTokens>();
        var accounts = http.RequestServices.GetRequiredService<UserAccounts>();
        var source = http.Connection.RemoteIpAddress?.ToString();
        var owner = Owner(http);
        string? Field(string name) => UiPages.Value(http, form, name);
        switch (UiPages.Handler(http, form))
        {
            case "CreateToken":
                var (name, role, expires) = (Field("name"), Field("role"), Field("expires"));
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl) || role is not (AdminRoles.Root or AdminRoles.Viewer))
                    return await FailAsync(http, "Give the token a name (up to 64 characters) and a role.");
                expires ??= AccessModel.DefaultLifetimeChoice;
                if (!AccessModel.Lifetimes.Any(l => l.Value == expires))
                    return await FailAsync(http, $"'{DisplayText.Truncate(expires)}' is not an expiry: choose {string.Join(", ", AccessModel.Lifetimes.Select(l => l.Value))}.");
                TimeSpan? lifetime = expires == "never" ? null : TimeSpan.FromDays(int.Parse(expires.TrimEnd('d'), CultureInfo.InvariantCulture));
                var (token, secret) = await apiTokens.CreateAsync(name.Trim(), role, lifetime, owner, source, http.RequestAborted);
                http.RequestServices.GetRequiredService<RecentSecrets<CreatedApiToken>>().Add(token.Id, owner, new CreatedApiToken(token.Id, secret));
                return Results.Redirect("/access?created=" + Uri.EscapeDataString(token.Id));
            case "RevokeToken":
                await apiTokens.RevokeAsync(Field("id") ?? "", owner, source, http.RequestAborted);
                return Results.Redirect("/access");
            case "CreateViewer":
                var viewer = Field("name");
                if (await accounts.CreateViewerAsync(viewer, Field("password"), owner, source, http.RequestAborted) is { } problem)
                    return await FailAsync(http, problem);
                return Done(http, $"Viewer '{viewer}' created.");
            case "RemoveViewer":
                var removed = Field("name");
                if (removed is null || await accounts.RemoveViewerAsync(removed, owner, source, http.RequestAborted) is not null)
                    return await FailAsync(http, $"No viewer '{DisplayText.Truncate(removed ?? "")}' to remove (root cannot be removed).");
                return Done(http, $"Viewer '{removed}' removed.");
            default:
                return Results.NotFound();
        }
    }

    private static string Owner(HttpContext http) => http.User.Identity?.Name ?? "root";

    private static IResult Done(HttpContext http, string message)
    {
        UiFlash.Set(http, message);
        return Results.Redirect("/access");
    }

    private static async Task<IResult> FailAsync(HttpContext http, string message) =>
        UiPages.Render(Access.Create(await LoadAsync(http, message, true, null, null)), StatusCodes.Status400BadRequest);

    private static async Task<AccessModel> LoadAsync(HttpContext http, string? message, bool isError, string? newToken, string? gone) => new()
    {
        Now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
        Tokens = await http.RequestServices.GetRequiredService<ApiTokens>().ListAsync(http.RequestAborted),
        Users = await http.RequestServices.GetRequiredService<UserAccounts>().ListAsync(http.RequestAborted),
        Message = message,
        IsError = isError,
        NewToken = newToken,
        CreatedGone = gone,
    };
}
