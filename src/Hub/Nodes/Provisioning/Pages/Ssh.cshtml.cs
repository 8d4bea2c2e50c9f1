using System.Text.RegularExpressions;
using Mesh.Core.Configuration;
using Mesh.Hub.Nodes.Join;
using Mesh.Hub.Web;
using RazorSlices;

namespace Mesh.Hub.Nodes.Provisioning.Pages;

/// <summary>
/// /join/ssh: install a node on a machine over SSH. Two steps unless the operator already knows the host key: the
/// hub reads the key and shows it; the operator compares it and provisions. The private key is never rendered back.
/// </summary>
public sealed partial class SshModel(SshProvisioner provisioner, JoinAddressResolver addresses) : UiPageModel
{
    public string? Host { get; private set; }

    public string Port { get; private set; } = "22";

    public string SshUser { get; private set; } = "root";

    public string? NodeId { get; private set; }

    public string? HostKey { get; private set; }

    public bool NoService { get; private set; }

    public string? Root { get; private set; }

    public Dictionary<string, string> Errors { get; } = [];

    public ProvisioningOutcome? Outcome { get; private set; }

    /// <summary>True when the outcome is a host key to confirm rather than a provisioning result.</summary>
    public bool ConfirmingHostKey { get; private set; }

    public IReadOnlyList<string> Warnings { get; private set; } = [];

    protected override RazorSlice Slice() => Ssh.Create(this);

    public Task<IResult> OnGet()
    {
        Warnings = addresses.Resolve(Request).Warnings;
        return Task.FromResult(Page());
    }

    public async Task<IResult> OnPostAsync()
    {
        var (host, port, user, nodeId, hostKey) = (Value("host"), Value("port"), Value("user"), Value("node_id"), Value("host_key"));
        var (privateKey, passphrase, root) = (Value("private_key"), Value("passphrase"), Value("root"));
        var noService = bool.TryParse(Value("no_service"), out var flag) && flag;
        (Host, Port, SshUser, NoService) = (host?.Trim(), string.IsNullOrWhiteSpace(port) ? "22" : port.Trim(), user?.Trim() ?? "", noService);
        HostKey = string.IsNullOrWhiteSpace(hostKey) ? null : SshHostKey.Normalize(hostKey);
        Root = string.IsNullOrWhiteSpace(root) ? null : root.Trim();
        var resolved = addresses.Resolve(Request);
        Warnings = resolved.Warnings;
        var targetErrors = SshTarget.Validate(host, port, user, out var target);
        foreach (var (field, error) in targetErrors)
            Errors[field] = error;
        NodeId = string.IsNullOrWhiteSpace(nodeId) ? DefaultNodeId(Host) : nodeId.Trim();
        if (NodeId is null)
            Errors["node_id"] = "Enter the node id this machine joins as, e.g. gpu-01.";
        else if (!NodeIds.IsValidForNode(NodeId, out var idError))
            Errors["node_id"] = idError;
        if (HostKey is not null && !FingerprintPattern().IsMatch(HostKey))
            Errors["host_key"] = "A host key fingerprint reads SHA256: and 43 base64 characters, as ssh-keygen -lf prints it.";
        if (Root is not null && !RootPattern().IsMatch(Root))
            Errors["root"] = "An absolute path of letters, digits and . _ / -, or empty for /.";
        if (HostKey is not null && string.IsNullOrWhiteSpace(privateKey))
            Errors["private_key"] = "Paste the private key the hub logs in with (it is used for this one installation and not kept).";
        if (Errors.Count > 0 || target is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        if (HostKey is null)
        {
            Outcome = await provisioner.FetchHostKeyAsync(target, HttpContext.RequestAborted);
            ConfirmingHostKey = Outcome.Succeeded;
            HostKey = Outcome.HostKey;
            if (!Outcome.Succeeded)
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        var request = new ProvisioningRequest(target, HostKey, NodeId!, resolved.Command, noService, Root);
        Outcome = await provisioner.ProvisionAsync(request, new SshCredentials(privateKey!, passphrase), User.Identity?.Name ?? "root",
            HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (!Outcome.Succeeded)
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>The first label of a host name, when it is a valid node id (not for IP addresses).</summary>
    private static string? DefaultNodeId(string? host)
    {
        if (string.IsNullOrEmpty(host) || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
            return null;
        var label = host.Split('.')[0];
        return NodeIds.IsValidForNode(label, out _) ? label : null;
    }

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex("^/[A-Za-z0-9._/-]*$")]
    private static partial Regex RootPattern();
}
