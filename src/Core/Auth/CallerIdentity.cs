namespace Mesh.Core.Auth;

/// <summary>
/// Who made a call, as proven by its token: <see cref="Subject"/> is "root", a node id or an actor id.
/// <see cref="NodeId"/> is the node whose key signed the token (null for root-signed tokens).
/// </summary>
public sealed record CallerIdentity(CallerScope Scope, string Subject, string? NodeId, string TokenId, DateTimeOffset ExpiresAt)
{
    public bool IsRoot => Scope == CallerScope.Root;
}
