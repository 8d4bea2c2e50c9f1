using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Access.Pages;

/// <summary>/account: any signed-in user changes their own password (the current one is asked for first).</summary>
public sealed class AccountModel(UserAccounts accounts) : PageModel
{
    public string? Message { get; private set; }

    public bool IsError { get; private set; }

    public void OnGet(string? changed) => Message = changed is null ? null : "Password changed.";

    public async Task<IActionResult> OnPostPasswordAsync(string? current, string? next)
    {
        var problem = await accounts.ChangePasswordAsync(User.Identity?.Name ?? "", current, next, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (problem is null)
            return Redirect("/account?changed=1");
        (Message, IsError) = (problem, true);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
