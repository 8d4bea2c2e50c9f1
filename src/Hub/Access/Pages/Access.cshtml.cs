using Mesh.Hub.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Access.Pages;

[Microsoft.AspNetCore.Authorization.Authorize(Policy = Mesh.Hub.Web.AdminRoles.RootPolicy)]
public sealed class AccessModel(ApiTokens apiTokens, UserAccounts accounts) : PageModel
{
    public IReadOnlyList<UiApiToken> Tokens { get; private set; } = [];

    public IReadOnlyList<UserSummary> Users { get; private set; } = [];

    public string? NewToken { get; private set; }

    public string? Message { get; private set; }

    public bool IsError { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, string? role)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl) || role is not (AdminRoles.Root or AdminRoles.Viewer))
            return await FailAsync("Give the token a name (up to 64 characters) and a role.");
        (_, NewToken) = await apiTokens.CreateAsync(name.Trim(), role, User.Identity?.Name ?? "root", Source, HttpContext.RequestAborted);
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(string id)
    {
        await apiTokens.RevokeAsync(id, User.Identity?.Name ?? "root", Source, HttpContext.RequestAborted);
        return Redirect("/access");
    }

    public async Task<IActionResult> OnPostCreateViewerAsync(string? name, string? password)
    {
        if (await accounts.CreateViewerAsync(name, password, User.Identity?.Name ?? "root", Source, HttpContext.RequestAborted) is { } problem)
            return await FailAsync(problem);
        Message = $"Viewer '{name}' created.";
        await LoadAsync();
        return Page();
    }

    private string? Source => HttpContext.Connection.RemoteIpAddress?.ToString();

    private async Task<IActionResult> FailAsync(string message)
    {
        (Message, IsError) = (message, true);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        Tokens = await apiTokens.ListAsync(HttpContext.RequestAborted);
        Users = await accounts.ListAsync(HttpContext.RequestAborted);
    }
}
