using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Core.Auth;

/// <summary>Mints HS256 call tokens with issuer, audience, times, a unique id and the key's kid.</summary>
public sealed class CallTokenIssuer
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeProvider _time;

    public CallTokenIssuer(string issuer, string audience, TimeProvider? time = null)
    {
        _issuer = issuer;
        _audience = audience;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A root token (or a root-signed actor token, for actors placed on the hub itself).</summary>
    public string MintWithRootKey(SigningKeyRing keys, CallerScope scope, string subject, TimeSpan lifetime) =>
        Mint(keys.RootKeyId, keys.CurrentSecret, scope, subject, nodeId: null, lifetime);

    /// <summary>A token signed with a node's own key: for the node itself or an actor placed on it.</summary>
    public string MintWithNodeKey(NodeSigningKey key, string nodeId, CallerScope scope, string subject, TimeSpan lifetime)
    {
        if (scope == CallerScope.Root)
            throw new ArgumentException("a node key cannot mint root tokens", nameof(scope));
        return Mint(key.KeyId, key.Key, scope, subject, nodeId, lifetime);
    }

    private string Mint(string keyId, byte[] key, CallerScope scope, string subject, string? nodeId, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > TokenLifetimes.Max(scope))
            throw new ArgumentOutOfRangeException(nameof(lifetime), $"a {scope.ToClaim()} token lives at most {TokenLifetimes.Max(scope)}");

        var now = _time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = subject,
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            ["scope"] = scope.ToClaim(),
        };
        if (nodeId is not null)
            claims["node"] = nodeId;

        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = _audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.HmacSha256),
        });
    }
}
