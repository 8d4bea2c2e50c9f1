using System.Security.Claims;
using Mesh.Hub.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Mesh.Hub.Web;

namespace Mesh.Hub.Access.Pages;

[Microsoft.AspNetCore.Authorization.AllowAnonymous]
public sealed class LoginModel(LoginService logins) : PageModel
{
    public string? Error { get; private set; }

    public string? Username { get; private set; }

    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? username, string? password, string? returnUrl)
    {
        Username = username;
        ReturnUrl = returnUrl;
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            Error = "Enter your user name and password.";
            return Page();
        }

        var (outcome, user, retryAfter) = await logins.LoginAsync(username, password, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (outcome != LoginOutcome.Success)
        {
            Response.StatusCode = outcome == LoginOutcome.LockedOut ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
            Error = outcome == LoginOutcome.LockedOut
                ? $"Too many failed attempts. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} s."
                : "Wrong user name or password.";
            return Page();
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user!.Name), new Claim(ClaimTypes.Role, user.Role)], WebAuth.CookieScheme);
        await HttpContext.SignInAsync(WebAuth.CookieScheme, new ClaimsPrincipal(identity));
        return LocalRedirect(returnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/");
    }
}
