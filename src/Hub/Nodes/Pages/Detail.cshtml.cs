using Htmx;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Nodes.Pages;

public sealed class DetailModel(NodeRegistry registry, NodeHealthChecker health, NodeAdministration admin, NodeRemoval removal, TimeProvider time) : PageModel
{
    public NodeView? Node { get; private set; }

    public IReadOnlyList<HistoryPoint> History { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public NodeHealthReport? Health { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    public Dictionary<string, string> Errors { get; private set; } = [];

    private Dictionary<string, string>? _edited;

    public string? EditValue(string field) => _edited is not null ? _edited.GetValueOrDefault(field) : field switch
    {
        "name" => Node?.Record.Name,
        "grpc_target" => Node?.Record.GrpcTarget,
        "tls_server_name" => Node?.Record.TlsServerName,
        "default_worktree_root" => Node?.Record.DefaultWorktreeRoot,
        _ => null,
    };

    public IActionResult OnGet(string id, string? message) => Load(id) ? WithMessage(message, false) : NotFound();

    public async Task<IActionResult> OnPostTestAsync(string id)
    {
        if (!Load(id))
            return NotFound();
        Health = await health.CheckAsync(id, HttpContext.RequestAborted);
        return Request.IsHtmx() ? Partial("_HealthResult", Health) : Page();
    }

    public async Task<IActionResult> OnPostEditAsync(string id)
    {
        if (!User.IsInRole("root"))
            return Forbid();
        if (!Load(id))
            return NotFound();
        _edited = RegisterForm.Fields.Skip(1).ToDictionary(f => f.Name, f => Request.Form[f.Name].ToString());
        var form = new RegisterForm { Values = new(_edited) { ["id"] = id } };
        var request = form.ToRequest() with { Labels = Node!.Record.Labels };
        var errors = NodeRequestValidation.Validate(request, requireId: false);
        if (errors.Count > 0)
        {
            Errors = errors.ToDictionary(e => e.Key, e => string.Join(" ", e.Value));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await admin.UpdateAsync(NodeEndpoints.ToSettings(request, id), User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        return Redirect($"/nodes/{Uri.EscapeDataString(id)}?message=saved");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string id, string? confirm, string? force)
    {
        if (!User.IsInRole("root"))
            return Forbid();
        if (!Load(id))
            return NotFound();
        if (confirm != "yes")
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return WithMessage("Tick the confirmation box to remove the node.", true);
        }

        if (removal.Refusal(id) is { } refusal)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            return WithMessage(refusal, true);
        }

        if (Node!.RunningAgents > 0 && force != "yes")
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            return WithMessage($"The node runs {Node.RunningAgents} agent(s); tick \"remove even though\" to remove it anyway.", true);
        }

        await removal.RemoveAsync(id, User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        return Redirect($"/nodes/{Uri.EscapeDataString(id)}?message=removed");
    }

    private bool Load(string id)
    {
        Now = time.GetUtcNow();
        Node = registry.Get(id);
        History = Node is null ? [] : registry.History(id);
        return Node is not null;
    }

    private PageResult WithMessage(string? message, bool error)
    {
        Message = message switch
        {
            "saved" => "Changes saved.",
            "removed" => "Node removed: its certificates are revoked.",
            null => null,
            _ when error => message,
            _ => null,
        };
        MessageIsError = error;
        return Page();
    }
}
