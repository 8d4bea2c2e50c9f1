using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Nodes.Registry;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Nodes.Join.Pages;

/// <summary>/join (root): create and revoke join tokens, and the commands that join a machine with a new one.</summary>
public sealed class JoinModel(JoinTokenService tokens, CreatedJoinTokens created, MeshConfig config, JoinAddressResolver addresses, NodeRegistry registry, TimeProvider time) : UiPageModel
{
    public IReadOnlyList<JoinTokenInfo> Tokens { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public Dictionary<string, string> Errors { get; } = [];

    public string? Ttl { get; private set; }

    public string? Uses { get; private set; }

    public string? NodeId { get; private set; }

    /// <summary>The token created just before the redirect here, while its creator may still see it.</summary>
    public CreatedJoinToken? Created { get; private set; }

    /// <summary>A token id in the address whose secret is no longer shown (another operator's, or too old).</summary>
    public string? CreatedGone { get; private set; }

    /// <summary>The node id the configuration snippets use: the token's, else a free suggestion.</summary>
    public string SnippetNodeId { get; private set; } = "node-01";

    public string? Snippet { get; private set; }

    public string? EnvSnippet { get; private set; }

    /// <summary>The one line to paste on the new machine: installs mesh, writes its configuration, starts the service.</summary>
    public string? InstallCommand { get; private set; }

    /// <summary>Where the node downloads the mesh build when installing by hand.</summary>
    public string? PackageUrl { get; private set; }

    /// <summary>Why another machine may not be able to join, and what to change (shown whether or not a token exists).</summary>
    public IReadOnlyList<string> AddressWarnings { get; private set; } = [];

    public string? ClusterToken => config.InternalGrpc.BootstrapToken?.Reveal();

    protected override RazorSlice Slice() => Join.Create(this);

    public async Task<IResult> OnGetAsync()
    {
        var createdId = Query("created");
        if (createdId is not null)
        {
            Created = created.Find(createdId, Owner);
            if (Created is null)
                CreatedGone = createdId;
        }

        await LoadAsync();
        return Page();
    }

    public async Task<IResult> OnPostCreateAsync()
    {
        var (ttl, uses, nodeId) = (Value("ttl"), Value("uses"), Value("node_id"));
        (Ttl, Uses, NodeId) = (ttl, uses, string.IsNullOrWhiteSpace(nodeId) ? null : nodeId.Trim());
        var lifetime = JoinTokenService.DefaultTtl;
        if (!string.IsNullOrWhiteSpace(ttl) && (!DurationText.TryParse(ttl.Trim(), out lifetime) || lifetime < TimeSpan.FromMinutes(1) || lifetime > JoinTokenService.MaxTtl))
            Errors["ttl"] = $"'{ttl}' is not a duration from 1m to 7d, e.g. 1h.";
        var count = 1;
        if (!string.IsNullOrWhiteSpace(uses) && (!int.TryParse(uses, out count) || count is < 1 or > JoinTokenService.MaxUses))
            Errors["uses"] = $"'{uses}' is not a number from 1 to {JoinTokenService.MaxUses}.";
        if (NodeId is not null && !NodeIds.IsValidForNode(NodeId, out var idError))
            Errors["node_id"] = idError;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync();
            return Page();
        }

        var (info, token) = await tokens.CreateAsync(lifetime, count, NodeId, Owner, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        created.Add(Owner, info, token);
        // Post/redirect/get: a reload of the page that shows the token re-posts nothing.
        return Redirect("/join?created=" + Uri.EscapeDataString(info.Id));
    }

    public async Task<IResult> OnPostRevokeAsync()
    {
        await tokens.RevokeAsync(Value("id") ?? "", Owner, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        return Redirect("/join");
    }

    private string Owner => User.Identity?.Name ?? "root";

    private async Task LoadAsync()
    {
        Now = time.GetUtcNow();
        Tokens = await tokens.ListAsync(HttpContext.RequestAborted);
        var resolved = addresses.Resolve(Request);
        AddressWarnings = resolved.Warnings;
        if (Created is null)
            return;
        var command = resolved.Command;
        SnippetNodeId = Created.NodeId ?? SuggestNodeId();
        InstallCommand = command.OneLine(Created.Token, Created.NodeId, noService: false);
        PackageUrl = command.WebBase + "/join/" + Install.MeshPackage.FileName;
        var certDir = command.Mode == "mtls" ? "\ncert_dir = \"mesh-data/certs\"" : "";
        Snippet = $"""
            [server]
            role = "node"
            node_id = "{SnippetNodeId}"
            # Relative to this file's folder: any folder the node's user can write.
            data_dir = "mesh-data"

            [internal_grpc.security]
            mode = "{command.Mode}"{certDir}

            [internal_grpc.bootstrap]
            token = "{Created.Token}"

            [hub]
            target = "{command.HubTarget}"
            """;
        var envCertDir = command.Mode == "mtls" ? " MESH_INTERNAL_GRPC__SECURITY__CERT_DIR=\"$HOME/mesh-data/certs\"" : "";
        EnvSnippet = $"MESH_SERVER__ROLE=node MESH_SERVER__NODE_ID={SnippetNodeId} MESH_SERVER__DATA_DIR=\"$HOME/mesh-data\"{envCertDir} MESH_INTERNAL_GRPC__SECURITY__MODE={command.Mode} MESH_HUB__TARGET={command.HubTarget} MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN={Created.Token} mesh run";
    }

    /// <summary>The first node-NN id no node has yet.</summary>
    private string SuggestNodeId()
    {
        for (var n = 1; ; n++)
        {
            var id = $"node-{n:00}";
            if (registry.Get(id) is null)
                return id;
        }
    }
}
