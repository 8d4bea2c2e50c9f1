using Htmx;
using Mesh.Hub.Nodes;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Nodes.Pages;

public sealed class IndexModel(NodeRegistry registry, NodeAdministration admin, TimeProvider time) : UiPageModel
{
    public IReadOnlyList<NodeView> Nodes { get; private set; } = [];

    public ClusterStats Stats { get; private set; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    public DateTimeOffset Now { get; private set; }

    public RegisterForm Form { get; private set; } = new();

    protected override RazorSlice Slice() => Index.Create(this);

    public Task<IResult> OnGet()
    {
        Load();
        Form = new RegisterForm { Registered = Query("registered") };
        return Task.FromResult(Page());
    }

    public async Task<IResult> OnPostRegisterAsync()
    {
        if (!User.IsInRole("root"))
            return Forbid();
        var form = RegisterForm.FromRequest(Request.Form);
        var request = form.ToRequest();
        var errors = NodeRequestValidation.Validate(request, requireId: true);
        if (errors.Count == 0)
        {
            var (outcome, _) = await admin.RegisterAsync(NodeEndpoints.ToSettings(request, request.Id!), User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
            if (outcome == NodeWriteOutcome.Duplicate)
                errors["id"] = [$"a node '{request.Id}' already exists"];
        }

        var isHtmx = Request.IsHtmx();
        if (errors.Count > 0)
        {
            form.Errors = errors.ToDictionary(e => e.Key, e => string.Join(" ", e.Value));
            if (isHtmx)
                return Partial(_RegisterForm.Create(form));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Load();
            Form = form;
            return Page();
        }

        return isHtmx ? Partial(_RegisterForm.Create(new RegisterForm { Registered = request.Id })) : Redirect("/?registered=" + Uri.EscapeDataString(request.Id!));
    }

    private void Load()
    {
        Now = time.GetUtcNow();
        Nodes = registry.List();
        Stats = NodeRegistry.Stats(Nodes);
    }
}

/// <summary>The register form: values as typed and the error of each field.</summary>
public sealed class RegisterForm
{
    public static readonly IReadOnlyList<(string Name, string Label, string Placeholder, bool Required)> Fields =
    [
        ("id", "Node id", "gpu-01", true),
        ("name", "Display name", "GPU node 01", false),
        ("grpc_target", "gRPC target", "https://gpu-01.example.com:50061", false),
        ("tls_server_name", "TLS server name", "gpu-01.example.com", false),
        ("default_worktree_root", "Default worktree root", "/data/mesh/worktrees", false),
    ];

    public Dictionary<string, string> Values { get; init; } = [];

    public Dictionary<string, string> Errors { get; set; } = [];

    public string? Registered { get; init; }

    public string? Value(string name) => Values.GetValueOrDefault(name);

    public static RegisterForm FromRequest(IFormCollection form) =>
        new() { Values = Fields.ToDictionary(f => f.Name, f => form[f.Name].ToString()) };

    public NodeSettingsRequest ToRequest() => new(
        Blank(Value("id")), Blank(Value("name")), Blank(Value("grpc_target")), Blank(Value("tls_server_name")), Blank(Value("default_worktree_root")), null);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
