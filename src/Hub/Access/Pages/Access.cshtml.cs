using Mesh.Hub.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Access.Pages;

/// <summary>
/// /access (root): API tokens and viewer accounts. A post that succeeds redirects (post/redirect/get: a reload re-posts
/// nothing); the new token's secret waits for its creator in memory, the outcome line in TempData. A refused post
/// answers 400 with the page and the reason.
/// </summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = Mesh.Hub.Web.AdminRoles.RootPolicy)]
public sealed class AccessModel(ApiTokens apiTokens, UserAccounts accounts, RecentSecrets<CreatedApiToken> created, TimeProvider time) : PageModel
{
    private const string MessageKey = "access-message";

    public IReadOnlyList<UiApiToken> Tokens { get; private set; } = [];

    public IReadOnlyList<UserSummary> Users { get; private set; } = [];

    public string? NewToken { get; private set; }

    /// <summary>The id of a token created earlier whose secret is no longer shown (another operator's, or too old).</summary>
    public string? CreatedGone { get; private set; }

    public DateTimeOffset Now { get; private set; }

    /// <summary>The expiry choices; "never" must be picked on purpose.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Lifetimes =
        [("7d", "7 days"), ("30d", "30 days"), ("90d", "90 days"), ("365d", "1 year"), ("never", "never (no expiry)")];

    public const string DefaultLifetimeChoice = "90d";

    public string? Message { get; private set; }

    public bool IsError { get; private set; }

    public async Task OnGetAsync([FromQuery(Name = "created")] string? createdId)
    {
        if (createdId is not null)
        {
            NewToken = created.Find(createdId, Owner)?.Secret;
            CreatedGone = NewToken is null ? createdId : null;
        }

        Message = TempData[MessageKey] as string;
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostCreateTokenAsync(string? name, string? role, string? expires)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl) || role is not (AdminRoles.Root or AdminRoles.Viewer))
            return await FailAsync("Give the token a name (up to 64 characters) and a role.");
        expires ??= DefaultLifetimeChoice;
        if (!Lifetimes.Any(l => l.Value == expires))
            return await FailAsync($"'{DisplayText.Truncate(expires)}' is not an expiry: choose {string.Join(", ", Lifetimes.Select(l => l.Value))}.");
        TimeSpan? lifetime = expires == "never" ? null : TimeSpan.FromDays(int.Parse(expires.TrimEnd('d'), System.Globalization.CultureInfo.InvariantCulture));
        var (token, secret) = await apiTokens.CreateAsync(name.Trim(), role, lifetime, Owner, Source, HttpContext.RequestAborted);
        created.Add(token.Id, Owner, new CreatedApiToken(token.Id, secret));
        return Redirect("/access?created=" + Uri.EscapeDataString(token.Id));
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync(string id)
    {
        await apiTokens.RevokeAsync(id, Owner, Source, HttpContext.RequestAborted);
        return Redirect("/access");
    }

    public async Task<IActionResult> OnPostCreateViewerAsync(string? name, string? password)
    {
        if (await accounts.CreateViewerAsync(name, password, Owner, Source, HttpContext.RequestAborted) is { } problem)
            return await FailAsync(problem);
        return Done($"Viewer '{name}' created.");
    }

    public async Task<IActionResult> OnPostRemoveViewerAsync(string? name)
    {
        if (name is null || await accounts.RemoveViewerAsync(name, Owner, Source, HttpContext.RequestAborted) is not null)
            return await FailAsync($"No viewer '{DisplayText.Truncate(name ?? "")}' to remove (root cannot be removed).");
        return Done($"Viewer '{name}' removed.");
    }

    private string? Source => HttpContext.Connection.RemoteIpAddress?.ToString();

    private string Owner => User.Identity?.Name ?? "root";

    private RedirectResult Done(string message)
    {
        TempData[MessageKey] = message;
        return Redirect("/access");
    }

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
