using Mesh.Core.Auth;
using Mesh.Node.Connection;
using Mesh.Node.Identity;

namespace Mesh.Node.Agents;

/// <summary>
/// A run's mailbox identity as a file (MESH_ACTOR_TOKEN_FILE, 0600 in the run's folder): an actor token for the
/// agent signed with the node's key, rewritten atomically at half its lifetime, like a projected Kubernetes
/// service-account token. The `actor` CLI reads the file on every call, so a long run never holds an expired token.
/// </summary>
internal sealed class ActorTokenFiles(AgentRuntimeOptions options, CurrentHubConnection hub, NodeIdentityFiles files, TimeProvider time)
{
    public TimeSpan RefreshAfter => options.TokenLifetime / 2;

    public void Write(string path, string agentId)
    {
        var key = hub.SigningKey ?? files.LoadSigningKey();
        var token = new CallTokenIssuer(options.Issuer, options.Audience, time).MintWithNodeKey(key, options.NodeId, CallerScope.Actor, agentId, options.TokenLifetime);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, token);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
