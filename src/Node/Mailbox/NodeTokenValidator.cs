using Mesh.Core.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Node.Mailbox;

/// <summary>
/// Checks, without the hub, that a caller of the node's local mailbox endpoint holds an actor token this node signed
/// (its own key, its node claim, not expired). Used only to accept sends into the outbox while the hub is unreachable;
/// online calls are forwarded and the hub decides.
/// </summary>
public sealed class NodeTokenValidator
{
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly Func<NodeSigningKey?> _key;
    private readonly string _nodeId;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeSpan _skew;
    private readonly TimeProvider _time;

    public NodeTokenValidator(NodeSigningKey key, string nodeId, string issuer, string audience, TimeSpan clockSkew, TimeProvider? time = null)
        : this(() => key, nodeId, issuer, audience, clockSkew, time)
    {
    }

    /// <param name="key">The node's current signing key (renewal may replace it); null before enrollment.</param>
    public NodeTokenValidator(Func<NodeSigningKey?> key, string nodeId, string issuer, string audience, TimeSpan clockSkew, TimeProvider? time = null)
    {
        _key = key;
        _nodeId = nodeId;
        _issuer = issuer;
        _audience = audience;
        _skew = clockSkew;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Why <paramref name="authorization"/> cannot be a bearer JWT at all, or null if it looks like one.</summary>
    public static string? MalformedReason(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
            return "no token";
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return "the authorization header is not 'Bearer <token>'";
        return Handler.CanReadToken(authorization["Bearer ".Length..].Trim()) ? null : "the token is not a well-formed JWT";
    }

    /// <summary>The actor id of a valid node-signed actor token, or null with the reason.</summary>
    public async Task<(string? ActorId, string? Failure)> CheckAsync(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return (null, "no bearer token");
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(authorization["Bearer ".Length..].Trim());
        }
        catch (ArgumentException)
        {
            return (null, "token is not a well-formed JWT");
        }

        if (_key() is not { } key)
            return (null, "this node has no signing key yet (not enrolled)");
        if (!string.Equals(jwt.Kid, key.KeyId, StringComparison.Ordinal) || jwt.Alg != SecurityAlgorithms.HmacSha256)
            return (null, "token was not signed by this node");
        var result = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = _issuer,
            ValidAudience = _audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(key.Key) { KeyId = key.KeyId },
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = false,
        });
        if (!result.IsValid)
            return (null, "token signature, issuer or audience is wrong");
        if (!jwt.TryGetPayloadValue<string>("scope", out var scope) || scope != "actor")
            return (null, "not an actor token");
        if (TokenTimes.Check(jwt, CallerScope.Actor, _time.GetUtcNow(), _skew).Failure is { } timeFailure)
            return (null, timeFailure);
        if (!jwt.TryGetPayloadValue<string>("node", out var node) || node != _nodeId)
            return (null, "token names another node");
        return string.IsNullOrEmpty(jwt.Subject) ? (null, "token has no subject") : (jwt.Subject, null);
    }
}
