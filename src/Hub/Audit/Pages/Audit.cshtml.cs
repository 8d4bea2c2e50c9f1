using Mesh.Hub.Audit;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Audit.Pages;

public sealed class AuditModel(IAuditLog audit) : PageModel
{
    public int PageSize => 100;

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(long? before) => Entries = await audit.ListAsync(PageSize, before, HttpContext.RequestAborted);
}
