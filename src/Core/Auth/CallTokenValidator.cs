using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mesh.Core.Auth;

/// <summary>The outcome of checking a bearer token: an identity, or a reason fit for the server log (never the token).</summary>
public sealed record TokenCheck(CallerIdentity? Identity, string? Failure)
{
    public bool IsValid => Identity is not null;

    public static TokenCheck Fail(string reason) => new(null, reason);
}

/// <summary>
/// Validates call tokens: HS256 only, a kid the key ring knows, issuer, audience, expiry, not-before
/// (with the configured clock skew), a lifetime within the scope's maximum, and consistent claims.
/// A token that passed is remembered (by its exact text, with the key ring that accepted it) until it expires, so a
/// client reusing its token pays the signature check once; the expiry is still checked on every call, and a new key
/// ring (rotation) forgets everything. Failures are never cached.
/// </summary>
public sealed class CallTokenValidator
{
    /// <summary>Bound on remembered tokens; when full the cache starts over (a flood of distinct tokens costs only re-validation).</summary>
    public const int CacheCapacity = 8192;
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly ConcurrentDictionary<string, Accepted> _accepted = new(StringComparer.Ordinal);
    private readonly Func<ICallTokenKeys?> _keys;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly TimeSpan _clockSkew;
    private readonly TimeProvider _time;

    /// <param name="keys">Current keys; a function so a key-ring reload needs no new validator.</param>
    public CallTokenValidator(Func<ICallTokenKeys?> keys, string issuer, string audience, TimeSpan clockSkew, TimeProvider? time = null)
    {
        _keys = keys;
        _issuer = issuer;
        _audience = audience;
        _clockSkew = clockSkew;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Checks an <c>authorization</c> header value ("Bearer &lt;jwt&gt;").</summary>
    public Task<TokenCheck> CheckAuthorizationAsync(string? authorization)
    {
        if (BearerToken.FromHeader(authorization, out var failure) is not { } token)
            return Task.FromResult(TokenCheck.Fail(failure ?? "no authorization metadata"));
        return CheckAsync(token);
    }

    public Task<TokenCheck> CheckAsync(string token)
    {
        if (_keys() is not { } keys)
            return Task.FromResult(TokenCheck.Fail("no signing key yet (this node is not enrolled)"));
        if (_accepted.TryGetValue(token, out var accepted) && ReferenceEquals(accepted.Keys, keys))
        {
            var now = _time.GetUtcNow();
            if (now <= accepted.Check.Identity!.ExpiresAt + _clockSkew)
                return Task.FromResult(accepted.Check);
            _accepted.TryRemove(token, out _);
        }

        return ValidateAsync(token, keys);
    }

    private async Task<TokenCheck> ValidateAsync(string token, ICallTokenKeys keys)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenCheck.Fail("token is not a well-formed JWT");
        }

        if (!string.Equals(jwt.Alg, SecurityAlgorithms.HmacSha256, StringComparison.Ordinal))
            return TokenCheck.Fail($"token algorithm '{jwt.Alg}' is not accepted (only HS256)");

        if (!keys.TryResolve(jwt.Kid, out var key, out var keyNode))
            return TokenCheck.Fail(keys is NodeSigningKey
                ? "token was not signed by this node"
                : $"token key id '{jwt.Kid}' is unknown (signed with a secret this hub does not have, or rotated out of previous_secrets)");

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = _issuer,
            ValidAudience = _audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(key) { KeyId = jwt.Kid },
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = false, // checked below against the injected clock, with precise reasons
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
        };
        var result = await Handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
            return TokenCheck.Fail(Describe(result.Exception));

        var check = CheckTimesAndClaims(jwt, keyNode);
        if (check.IsValid)
        {
            if (_accepted.Count >= CacheCapacity)
                _accepted.Clear();
            _accepted[token] = new Accepted(check, keys);
        }

        return check;
    }

    /// <summary>How many accepted tokens are remembered (for tests).</summary>
    public int CachedCount => _accepted.Count;

    private TokenCheck CheckTimesAndClaims(JsonWebToken jwt, string? keyNode)
    {
        if (!jwt.TryGetPayloadValue<string>("scope", out var scopeClaim) || !CallerScopes.TryParse(scopeClaim, out var scope))
            return TokenCheck.Fail("token has no valid scope claim");
        var (expires, timeFailure) = TokenTimes.Check(jwt, scope, _time.GetUtcNow(), _clockSkew);
        if (timeFailure is not null)
            return TokenCheck.Fail(timeFailure);
        var subject = jwt.Subject;
        if (string.IsNullOrEmpty(subject))
            return TokenCheck.Fail("token has no subject");

        jwt.TryGetPayloadValue<string>("node", out var nodeClaim);
        if (keyNode is not null)
        {
            // A node key signs only for that node and actors placed on it.
            if (scope == CallerScope.Root)
                return TokenCheck.Fail($"node '{keyNode}' key cannot sign root tokens");
            if (!string.Equals(nodeClaim, keyNode, StringComparison.Ordinal))
                return TokenCheck.Fail($"token node claim '{nodeClaim}' does not match its signing key's node '{keyNode}'");
            if (scope == CallerScope.Node && !string.Equals(subject, keyNode, StringComparison.Ordinal))
                return TokenCheck.Fail($"node '{keyNode}' key cannot sign for node '{subject}'");
        }
        else if (scope == CallerScope.Node)
        {
            return TokenCheck.Fail("node tokens must be signed with the node's own key");
        }

        return new TokenCheck(new CallerIdentity(scope, subject, keyNode, jwt.Id ?? string.Empty, expires), null);
    }

    private sealed record Accepted(TokenCheck Check, ICallTokenKeys Keys);

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "token signature does not match (wrong key)",
        SecurityTokenInvalidAudienceException => "token audience is wrong",
        SecurityTokenInvalidIssuerException => "token issuer is wrong",
        SecurityTokenInvalidAlgorithmException => "token algorithm is not accepted (only HS256)",
        SecurityTokenMalformedException => "token is not a well-formed JWT",
        null => "token is invalid",
        _ => "token is invalid: " + exception.GetType().Name,
    };
}
