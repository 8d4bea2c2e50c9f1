using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mesh.Hub.Nodes.Join.Pages;

[Microsoft.AspNetCore.Authorization.Authorize(Policy = Mesh.Hub.Web.AdminRoles.RootPolicy)]
public sealed class JoinModel(JoinTokenService tokens, MeshConfig config, JoinAddressResolver addresses, TimeProvider time) : PageModel
{
    public IReadOnlyList<JoinTokenInfo> Tokens { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public Dictionary<string, string> Errors { get; } = [];

    public string? Ttl { get; private set; }

    public string? Uses { get; private set; }

    public string? NodeId { get; private set; }

    public string? CreatedToken { get; private set; }

    public DateTimeOffset? CreatedExpires { get; private set; }

    public string? Snippet { get; private set; }

    public string? EnvSnippet { get; private set; }

    /// <summary>The one line to paste on the new machine: installs mesh, writes its configuration, starts the service.</summary>
    public string? InstallCommand { get; private set; }

    /// <summary>Why another machine may not be able to use the command, and what to change.</summary>
    public IReadOnlyList<string> AddressWarnings { get; private set; } = [];

    public string? ClusterToken => config.InternalGrpc.BootstrapToken?.Reveal();

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(string? ttl, string? uses, [FromForm(Name = "node_id")] string? nodeId)
    {
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

        var (info, token) = await tokens.CreateAsync(lifetime, count, NodeId, User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        CreatedToken = token;
        CreatedExpires = info.ExpiresAt;
        var resolved = addresses.Resolve(Request);
        AddressWarnings = resolved.Warnings;
        var target = resolved.Command.HubTarget;
        var mode = resolved.Command.Mode;
        InstallCommand = resolved.Command.OneLine(token, NodeId, noService: false);
        var snippetNode = NodeId ?? "node-01";
        Snippet = $"""
            [server]
            role = "node"
            node_id = "{snippetNode}"
            data_dir = "/var/lib/mesh"

            [internal_grpc.security]
            mode = "{mode}"
            cert_dir = "/var/lib/mesh/certs"

            [internal_grpc.bootstrap]
            token = "{token}"

            [hub]
            target = "{target}"
            """;
        EnvSnippet = $"MESH_SERVER__ROLE=node MESH_SERVER__NODE_ID={snippetNode} MESH_INTERNAL_GRPC__SECURITY__MODE={mode} MESH_HUB__TARGET={target} MESH_INTERNAL_GRPC__BOOTSTRAP__TOKEN={token} mesh run";
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string id)
    {
        await tokens.RevokeAsync(id, User.Identity?.Name ?? "root", HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        return Redirect("/join");
    }

    private async Task LoadAsync()
    {
        Now = time.GetUtcNow();
        Tokens = await tokens.ListAsync(HttpContext.RequestAborted);
    }
}
