using System.CommandLine;
using Mesh.Core.Auth;
using Mesh.Core.Configuration;
using Mesh.Hub.Hosting;
using Mesh.Roles;
using Mesh.Node.Identity;
using Mesh.Pki;

namespace Mesh.Cli;

/// <summary>
/// mesh actor-token: prints an actor token signed with this node's own key (cert_dir/node_signing.key), for an agent
/// on the node to use against its local endpoint. The key file is 0600, so only the node's user can mint; the hub
/// accepts the token only for an actor placed on this node. With a hub configuration it uses the embedded node's key.
/// </summary>
internal sealed class ActorTokenCommand
{
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinTtl = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxTtl = TokenLifetimes.Actor;

    private readonly Option<string> _actorId = new("--actor-id") { Description = "The actor the token acts as (it must be placed on this node).", Required = true };

    private readonly Option<string> _ttl = new("--ttl")
    {
        Description = $"Lifetime of the token, {DurationText.Format(MinTtl)} to {DurationText.Format(MaxTtl)} (e.g. 30m, 8h).",
        DefaultValueFactory = _ => DurationText.Format(DefaultTtl),
    };

    public Command Create(GlobalOptions options, TextWriter output, TextWriter error)
    {
        var command = new Command("actor-token", "Print an actor token signed by this node, for an agent using the node's local endpoint (MESH_ACTOR_TOKEN).");
        command.Options.Add(_actorId);
        command.Options.Add(_ttl);
        command.SetAction(result => Execute(options.Read(result), result.GetValue(_actorId)!, result.GetValue(_ttl)!, output, error));
        return command;
    }

    public static int Execute(Invocation invocation, string actorId, string ttlText, TextWriter output, TextWriter error)
    {
        if (!NodeIds.IsValid(actorId, out var idError))
        {
            error.WriteLine($"error: --actor-id {idError}");
            return ExitCodes.Usage;
        }

        if (!DurationText.TryParse(ttlText, out TimeSpan ttl) || ttl < MinTtl || ttl > MaxTtl)
        {
            error.WriteLine($"error: --ttl '{ttlText}' must be a duration from {DurationText.Format(MinTtl)} to {DurationText.Format(MaxTtl)}, e.g. 30m or 8h.");
            return ExitCodes.Usage;
        }

        if (!ConfigFile.TryLoad(invocation, error, out var config))
            return ExitCodes.Usage;

        var (nodeId, certDir) = config.Server.Role == MeshRole.Node
            ? (config.Server.NodeId!, config.InternalGrpc.Security.CertDir)
            : (config.Server.NodeId ?? EmbeddedNode.DefaultId, EmbeddedNode.CertDir(config));
        var files = new NodeIdentityFiles(certDir);
        if (!files.IsEnrolled)
        {
            error.WriteLine($"error: node '{nodeId}' is not enrolled: {certDir} holds no complete identity. Start the node once (mesh run --config {invocation.ConfigPath}) so it joins the hub, then mint tokens.");
            return ExitCodes.Failure;
        }

        NodeSigningKey key;
        try
        {
            key = files.LoadSigningKey();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PkiException or FormatException or System.Text.Json.JsonException)
        {
            error.WriteLine($"error: cannot read node '{nodeId}''s signing key in {certDir}: {ex.Message}. Only the node's own user can mint actor tokens (node_signing.key is 0600); run this as that user.");
            return ExitCodes.Failure;
        }

        var auth = config.InternalGrpc.Auth;
        output.WriteLine(new CallTokenIssuer(auth.Issuer, auth.Audience).MintWithNodeKey(key, nodeId, CallerScope.Actor, actorId, ttl));
        return ExitCodes.Ok;
    }
}
