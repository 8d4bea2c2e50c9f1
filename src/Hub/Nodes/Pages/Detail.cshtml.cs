using Htmx;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Nodes.Sessions;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Nodes.Pages;

public sealed class DetailModel(NodeRegistry registry, NodeHealthChecker health, NodeAdministration admin, NodeRemoval removal, TimeProvider time) : UiPageModel
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
        "labels" => Node is null ? null : string.Join("\n", Node.Record.Labels.Select(l => l.Key + "=" + l.Value)),
        _ => null,
    };

    protected override RazorSlice Slice() => Detail.Create(this);

    private string Id => Value("id")!;

    public Task<IResult> OnGet() => Task.FromResult(Load(Id) ? WithMessage(Query("message"), false) : NotFound());

    public async Task<IResult> OnPostTestAsync()
    {
        var id = Id;
        if (!Load(id))
            return NotFound();
        Health = await health.CheckAsync(id, HttpContext.RequestAborted);
        return Request.IsHtmx() ? Partial(_HealthResult.Create(Health!)) : Page();
    }

    public async Task<IResult> OnPostEditAsync()
    {
        var id = Id;
        if (!User.IsInRole("root"))
            return Forbid();
        if (!Load(id))
            return NotFound();
        _edited = RegisterForm.Fields.Skip(1).ToDictionary(f => f.Name, f => Request.Form[f.Name].ToString());
        _edited["labels"] = Request.Form["labels"].ToString();
        var form = new RegisterForm { Values = new(_edited) { ["id"] = id } };
        var (labels, labelsError) = ParseLabels(_edited["labels"]);
        var request = form.ToRequest() with { Labels = labels };
        var errors = NodeRequestValidation.Validate(request, requireId: false);
        if (labelsError is not null)
            errors["labels"] = [labelsError];
        if (errors.Count > 0)
        {
            // Label errors are keyed per label ("labels.zone"); the form has one field for them.
            Errors = errors.GroupBy(e => e.Key.StartsWith("labels", StringComparison.Ordinal) ? "labels" : e.Key)
                .ToDictionary(g => g.Key, g => string.Join(" ", g.SelectMany(e => e.Value)));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await admin.UpdateAsync(NodeEndpoints.ToSettings(request, id), User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        return Redirect($"/nodes/{Uri.EscapeDataString(id)}?message=saved");
    }

    public async Task<IResult> OnPostRemoveAsync()
    {
        var (id, confirm, force) = (Id, Value("confirm"), Value("force"));
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

    /// <summary>One key=value a line; blank lines are skipped. The first malformed line is the error.</summary>
    private static (Dictionary<string, string> Labels, string? Error) ParseLabels(string text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                return (labels, $"line {i + 1}: write key=value, e.g. zone=eu-1");
            if (!labels.TryAdd(line[..eq].Trim(), line[(eq + 1)..].Trim()))
                return (labels, $"line {i + 1}: label '{DisplayText.Truncate(line[..eq].Trim())}' is given twice");
        }

        return (labels, null);
    }

    private bool Load(string id)
    {
        Now = time.GetUtcNow();
        Node = registry.Get(id);
        History = Node is null ? [] : registry.History(id);
        return Node is not null;
    }

    private IResult WithMessage(string? message, bool error)
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
