using Mesh.Core.Join;
using System.Security.Cryptography;
using Mesh.Hub.Access;
using Mesh.Hub.Audit;

namespace Mesh.Hub.Access;

/// <summary>
/// API tokens created by root in the UI: "meshapi_&lt;id&gt;_&lt;secret&gt;", shown once, stored as SHA-256 of the secret,
/// checked in constant time. Implements <see cref="IApiTokenVerifier"/> for the REST API's bearer scheme.
/// </summary>
public sealed class ApiTokens(IAccountStore store, IAuditLog audit, TimeProvider time) : IApiTokenVerifier
{
    private const string Prefix = "meshapi_";

    /// <summary>What the Access page offers first: a token lives 90 days unless "never" is chosen.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    /// <summary>Creates a token; <paramref name="lifetime"/> null means it never expires.</summary>
    public async Task<(UiApiToken Token, string Secret)> CreateAsync(string name, string role, TimeSpan? lifetime, string createdBy, string? source, CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = JoinToken.NewSecret();
        var now = time.GetUtcNow();
        var token = new UiApiToken(id, name, role, now, createdBy, null, null, now + lifetime);
        await store.AddTokenAsync(token, JoinToken.HashSecret(secret), cancellationToken);
        await audit.RecordAsync(createdBy, "api_token.created", id, source,
            $"name={name} role={role} expires={(token.ExpiresAt is { } at ? Mesh.Core.TimeText.Iso(at) : "never")}", cancellationToken);
        return (token, $"{Prefix}{id}_{secret}");
    }

    public Task<IReadOnlyList<UiApiToken>> ListAsync(CancellationToken cancellationToken) => store.ListTokensAsync(cancellationToken);

    public async Task<bool> RevokeAsync(string id, string actor, string? source, CancellationToken cancellationToken)
    {
        if (!await store.RevokeTokenAsync(id, time.GetUtcNow(), cancellationToken))
            return false;
        await audit.RecordAsync(actor, "api_token.revoked", id, source, null, cancellationToken);
        return true;
    }

    public async Task<(string Name, string Role)?> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal))
            return null;
        var rest = presented[Prefix.Length..];
        var split = rest.IndexOf('_', StringComparison.Ordinal);
        if (split <= 0 || split > 32)
            return null;
        var (id, secret) = (rest[..split], rest[(split + 1)..]);
        if (await store.GetTokenAsync(id, cancellationToken) is not { } found || found.Token.RevokedAt is not null)
            return null;
        if (found.Token.ExpiresAt is { } expires && time.GetUtcNow() >= expires)
            return null;
        if (!CryptographicOperations.FixedTimeEquals(found.SecretHash, JoinToken.HashSecret(secret)))
            return null;
        await store.TouchTokenAsync(id, time.GetUtcNow(), cancellationToken);
        return ("token:" + found.Token.Name, found.Token.Role);
    }
}
