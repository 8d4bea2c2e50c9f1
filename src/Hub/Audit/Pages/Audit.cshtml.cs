using Mesh.Hub.Audit;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Audit.Pages;

/// <summary>The audit log, newest first, filtered by the query (by, action, target, since, until) and paged by id.</summary>
public sealed class AuditModel(IAuditLog audit, TimeProvider time) : PageModel
{
    public int PageSize => 100;

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public AuditFilter Filter { get; private set; } = AuditFilter.Any;

    /// <summary>What is wrong with the filter, field by field (the list is not shown then).</summary>
    public IReadOnlyDictionary<string, string[]> Problems { get; private set; } = new Dictionary<string, string[]>();

    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(long? before, string? by, string? action, string? target, string? since, string? until)
    {
        Now = time.GetUtcNow();
        var (filter, problems) = AuditFilter.Parse(by, action, target, since, until);
        if (filter is null)
        {
            Problems = problems!;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Filter = filter;
        Entries = await audit.ListAsync(PageSize, before, filter, HttpContext.RequestAborted);
    }

    /// <summary>This page's address with the current filter, <paramref name="change"/> applied (null removes a key).</summary>
    public string Link(params (string Key, string? Value)[] change)
    {
        var query = new Dictionary<string, string?>
        {
            ["by"] = Filter.By, ["action"] = Filter.Action, ["target"] = Filter.Target,
            ["since"] = Request.Query["since"].FirstOrDefault(), ["until"] = Request.Query["until"].FirstOrDefault(),
        };
        foreach (var (key, value) in change)
            query[key] = value;
        var parts = query.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!));
        return "/audit" + (parts.Any() ? "?" + string.Join("&", parts) : "");
    }
}
