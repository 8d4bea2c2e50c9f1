using Mesh.Core.Protocol;
using Mesh.Hub.Audit;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Agents.Pages;

/// <summary>
/// /nodes/{id}/worktrees: the node's agent worktrees, asked from the node (the node page loads the list with htmx);
/// root removes a kept one after a confirmation that names what is lost. The loss confirmed must still be the loss
/// now (it is asked again): work done since the page was shown is never removed unseen.
/// </summary>
public sealed class NodeWorktreesModel(AgentWorktrees worktrees, IAuditLog audit) : UiPageModel
{
    public string NodeId { get; private set; } = "";

    public IReadOnlyList<WorktreeState> Worktrees { get; private set; } = [];

    public string? Problem { get; private set; }

    public string? Message { get; private set; }

    public bool MessageIsError { get; private set; }

    protected override RazorSlice Slice() => NodeWorktrees.Create(this);

    private string Id => Value("id")!;

    public async Task<IResult> OnGetAsync()
    {
        var (id, done, path) = (Id, Query("done"), Query("path"));
        if (done == "removed" && path is not null)
            Message = $"Worktree {path} removed.";
        await LoadAsync(id);
        return Page();
    }

    public async Task<IResult> OnGetListAsync()
    {
        await LoadAsync(Id);
        return Partial(_NodeWorktreeList.Create(this));
    }

    public async Task<IResult> OnPostRemoveAsync()
    {
        var (id, path, expect, confirm) = (Id, Value("path"), Value("expect"), Value("confirm"));
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        await LoadAsync(id);
        if (Problem is not null)
            return Refused(StatusCodes.Status503ServiceUnavailable, Problem);
        var current = Worktrees.FirstOrDefault(w => w.Worktree.Path == path);
        if (current is null)
            return Refused(StatusCodes.Status404NotFound, $"Node {id} has no worktree {path}.");
        if (current.AgentId.Length > 0)
            return Refused(StatusCodes.Status409Conflict, $"Worktree {path} belongs to agent '{current.AgentId}': delete the agent first.");
        if (confirm != "yes")
            return Refused(StatusCodes.Status400BadRequest, $"Tick the confirmation box to remove {path}.");
        var loss = current.Error.Length > 0 ? current.Error : AgentWorktreeHtml.Loss(current);
        if (loss != expect)
            return Refused(StatusCodes.Status409Conflict, $"What removing {path} would lose changed since the page was shown: now {loss}. Confirm again.");
        var force = current.Error.Length > 0 || current.Uncommitted > 0 || current.Unpushed > 0;
        string message;
        try
        {
            message = await worktrees.RemoveAsync(id, path!, force, HttpContext.RequestAborted);
        }
        catch (AgentException ex)
        {
            await LoadAsync(id);
            return Refused(AgentPageStatus.Of(ex), ex.Message);
        }

        await audit.RecordAsync(User.Identity?.Name ?? "root", AuditActions.WorktreeRemoved, path!, HttpContext.Connection.RemoteIpAddress?.ToString(),
            $"node={id} {message}", HttpContext.RequestAborted);
        return Redirect($"/nodes/{Uri.EscapeDataString(id)}/worktrees?done=removed&path={Uri.EscapeDataString(path!)}");
    }

    private IResult Refused(int status, string message)
    {
        Response.StatusCode = status;
        Message = message;
        MessageIsError = true;
        return Page();
    }

    private async Task LoadAsync(string id)
    {
        NodeId = id;
        try
        {
            Worktrees = await worktrees.ListAsync(id, HttpContext.RequestAborted);
        }
        catch (AgentException ex)
        {
            Problem = ex.Message;
        }
    }
}
