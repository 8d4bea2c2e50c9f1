using Mesh.Core.Auth;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Mesh.Node.Mailbox;

/// <summary>
/// Checks, without the hub, that a caller of the node's local mailbox endpoint holds an actor token this node signed.
/// It is Core's <see cref="CallTokenValidator"/> — the same signature, issuer, audience and time rules as the hub —
/// with the node's own key as its only key, plus: an actor token, for this node. Used only to accept sends into the
/// outbox while the hub is unreachable; online calls are forwarded and the hub decides.
/// </summary>
public sealed class NodeTokenValidator
{
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly CallTokenValidator _validator;
    private readonly string _nodeId;

    public NodeTokenValidator(NodeSigningKey key, string nodeId, string issuer, string audience, TimeSpan clockSkew, TimeProvider? time = null)
        : this(() => key, nodeId, issuer, audience, clockSkew, time)
    {
    }

    /// <param name="key">The node's current signing key (renewal may replace it); null before enrollment.</param>
    public NodeTokenValidator(Func<NodeSigningKey?> key, string nodeId, string issuer, string audience, TimeSpan clockSkew, TimeProvider? time = null)
    {
        _validator = new CallTokenValidator(key, issuer, audience, clockSkew, time);
        _nodeId = nodeId;
    }

    /// <summary>Why <paramref name="authorization"/> cannot be a bearer JWT at all, or null if it looks like one.</summary>
    public static string? MalformedReason(string? authorization)
    {
        var token = BearerToken.FromHeader(authorization, out var failure);
        if (failure is not null)
            return "the authorization header is not 'Bearer <token>'";
        if (string.IsNullOrWhiteSpace(token))
            return "no token";
        return Handler.CanReadToken(token) ? null : "the token is not a well-formed JWT";
    }

    /// <summary>The actor id of a valid node-signed actor token for this node, or null with the reason.</summary>
    public async Task<(string? ActorId, string? Failure)> CheckAsync(string? authorization)
    {
        var check = await _validator.CheckAuthorizationAsync(authorization);
        if (check.Identity is not { } caller)
            return (null, check.Failure);
        if (caller.Scope != CallerScope.Actor)
            return (null, "not an actor token");
        return caller.NodeId == _nodeId ? (caller.Subject, null) : (null, "token names another node");
    }
}
