using Mesh.Hub.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Access.Pages;

[Microsoft.AspNetCore.Authorization.Authorize(Policy = Mesh.Hub.Web.AdminRoles.RootPolicy)]
public sealed class AccessModel(ApiTokens apiTokens, UserAccounts accounts, TimeProvider time) : PageModel
{
    public IReadOnlyList<UiApiToken> Tokens { get; private set; } = [];

    public IReadOnlyList<UserSummary> Users { get; private set; } = [];

    public string? NewToken { get; private set; }

    public DateTimeOffset Now { get; private set; }

    /// <summary>The expiry choices; "never" must be picked on purpose.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Lifetimes =
        [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("365d", "1 year"), ("never", "never (no expiry)")];

    public const string DefaultLifetimeChoice = "90d";

    public string? Message { get; private set; }

    public bool IsError { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, string? role, string? expires)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl) || role is not (AdminRoles.Root or AdminRoles.Viewer))
            return await FailAsync("Give the token a name (up to 64 characters) and a role.");
        expires ??= DefaultLifetimeChoice;
        if (!Lifetimes.Any(l => l.Value == expires))
            return await FailAsync($"'{DisplayText.Truncate(expires)}' is not an expiry: choose {string.Join(", ", Lifetimes.Select(l => l.Value))}.");
        TimeSpan? lifetime = expires == "never" ? null : TimeSpan.FromDays(int.Parse(expires.TrimEnd('d'), System.Globalization.CultureInfo.InvariantCulture));
        (_, NewToken) = await apiTokens.CreateAsync(name.Trim(), role, lifetime, User.Identity?.Name ?? "root", Source, HttpContext.RequestAborted);
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

    public async Task<IActionResult> OnPostRemoveViewerAsync(string? name)
    {
        if (name is null || await accounts.RemoveViewerAsync(name, User.Identity?.Name ?? "root", Source, HttpContext.RequestAborted) is { } problem)
            return await FailAsync($"No viewer '{DisplayText.Truncate(name ?? "")}' to remove (root cannot be removed).");
        Message = $"Viewer '{name}' removed.";
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
        Now = time.GetUtcNow();
        Tokens = await apiTokens.ListAsync(HttpContext.RequestAborted);
        Users = await accounts.ListAsync(HttpContext.RequestAborted);
    }
}
