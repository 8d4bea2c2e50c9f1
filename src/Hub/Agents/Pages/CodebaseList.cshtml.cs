using Mesh.Hub.Agents.Codebases;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Agents.Pages;

/// <summary>
/// /codebases: each codebase with its repository path per node and the agents that name it; root creates one, binds
/// it to a node (or moves its path there), unbinds a node and deletes it (post/redirect/get). A refusal is shown on
/// the page with the values kept and the REST API's status.
/// </summary>
public sealed class CodebasesModel(CodebaseRegistry codebases, NodeRegistry registry, AgentService agents) : UiPageModel
{
    public IReadOnlyList<Codebase> Codebases { get; private set; } = [];

    /// <summary>The nodes a codebase can be bound to (every node not removed).</summary>
    public IReadOnlyList<NodeView> Nodes { get; private set; } = [];

    /// <summary>Agent ids by the codebase they name.</summary>
    public ILookup<string, string> AgentsByCodebase { get; private set; } = Array.Empty<string>().ToLookup(a => a);

    public string? Message { get; private set; }

    public bool IsError { get; private set; }

    /// <summary>Which form the refusal is about ("create", or "bind-NAME"), and the values it was sent with.</summary>
    public string? RefusedForm { get; private set; }

    protected override RazorSlice Slice() => CodebaseList.Create(this);

    public Task<IResult> OnGet()
    {
        Message = (Query("done"), Query("name")) switch
        {
            ("created", { } name) => $"Created codebase '{name}'.",
            ("bound", { } name) => $"Bound codebase '{name}' to node '{Query("node")}'.",
            ("unbound", { } name) => $"Unbound codebase '{name}' from node '{Query("node")}'.",
            ("deleted", { } name) => $"Deleted codebase '{name}'.",
            _ => null,
        };
        Load();
        return Task.FromResult(Page());
    }

    public Task<IResult> OnPostCreateAsync() => Change("create", async name =>
    {
        var node = Value("node");
        await codebases.CreateAsync(new CodebaseRequest(name, node is null ? null : new Dictionary<string, string> { [node] = Value("path") ?? "" }), HttpContext.RequestAborted);
        return $"done=created&name={Uri.EscapeDataString(name)}";
    });

    public Task<IResult> OnPostBindAsync() => Change("bind-" + Value("name"), async name =>
    {
        var node = Value("node") ?? "";
        await codebases.BindNodeAsync(name, node, Value("path"), HttpContext.RequestAborted);
        return $"done=bound&name={Uri.EscapeDataString(name)}&node={Uri.EscapeDataString(node)}";
    });

    public Task<IResult> OnPostUnbindAsync() => Change("bind-" + Value("name"), async name =>
    {
        var node = Value("node") ?? "";
        await codebases.UnbindNodeAsync(name, node, HttpContext.RequestAborted);
        return $"done=unbound&name={Uri.EscapeDataString(name)}&node={Uri.EscapeDataString(node)}";
    });

    public Task<IResult> OnPostDeleteAsync() => Change("bind-" + Value("name"), async name =>
    {
        await codebases.DeleteAsync(name, HttpContext.RequestAborted);
        return $"done=deleted&name={Uri.EscapeDataString(name)}";
    });

    private async Task<IResult> Change(string form, Func<string, Task<string>> change)
    {
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        try
        {
            return Redirect("/codebases?" + await change(Value("name") ?? ""));
        }
        catch (AgentException ex)
        {
            Message = ex.Message;
            IsError = true;
            RefusedForm = form;
            Response.StatusCode = AgentPageStatus.Of(ex);
            Load();
            return Page();
        }
    }

    /// <summary>A value of the refused form, to show again in the form it came from.</summary>
    public string Kept(string form, string name) => RefusedForm == form ? Posted[name].ToString() : "";

    /// <summary>A value of a refused bind, unbind or delete, for the bind form.</summary>
    public string KeptBind(string name) => RefusedForm?.StartsWith("bind-", StringComparison.Ordinal) == true ? Posted[name].ToString() : "";

    private void Load()
    {
        Codebases = codebases.List();
        Nodes = [.. registry.List().Where(n => n.Status != NodeStatus.Revoked)];
        AgentsByCodebase = agents.List().Where(a => a.Definition.Codebase is not null).ToLookup(a => a.Definition.Codebase!, a => a.Definition.Id, StringComparer.Ordinal);
    }
}
