using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Agents.Pages;

/// <summary>/agents: every agent with its live state; root creates agents (post/redirect/get to the agent's page).</summary>
public sealed class AgentsModel(AgentService agents, NodeRegistry registry, Codebases.CodebaseRegistry codebases, TimeProvider time) : UiPageModel
{
    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    /// <summary>The nodes an agent can be placed on (every node not removed), with how many agents each holds.</summary>
    public IReadOnlyList<(NodeView Node, int Placed)> Nodes { get; private set; } = [];

    /// <summary>The codebases an agent can name (placing it on their nodes only).</summary>
    public IReadOnlyList<Codebases.Codebase> Codebases { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public AgentForm Form { get; private set; } = new();

    public string? Message { get; private set; }

    protected override RazorSlice Slice() => Index.Create(this);

    public Task<IResult> OnGet()
    {
        var deleted = Query("deleted");
        Message = deleted is null ? null : $"Deleted agent '{deleted}'.";
        Load();
        return Task.FromResult(Page());
    }

    public async Task<IResult> OnPostCreateAsync()
    {
        if (!User.IsInRole(AdminRoles.Root))
            return Forbid();
        Form = AgentForm.FromRequest(Request.Form);
        try
        {
            var agent = await agents.CreateAsync(Form.ToRequest(), User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
            return Redirect("/agents/" + Uri.EscapeDataString(agent.Definition.Id) + "?done=created");
        }
        catch (AgentException ex)
        {
            Form.Refused(ex);
            Response.StatusCode = AgentPageStatus.Of(ex);
            Load();
            return Page();
        }
    }

    private void Load()
    {
        Now = time.GetUtcNow();
        Agents = agents.List();
        Codebases = codebases.List();
        var placed = Agents.GroupBy(a => a.Definition.NodeId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        Nodes = [.. registry.List().Where(n => n.Status != NodeStatus.Revoked).Select(n => (n, placed.GetValueOrDefault(n.Id)))];
    }
}

/// <summary>The HTTP status of a refused agent operation on a page (as on the REST API).</summary>
internal static class AgentPageStatus
{
    public static int Of(AgentException ex) => ex.Error switch
    {
        AgentError.NotFound => StatusCodes.Status404NotFound,
        AgentError.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };
}
