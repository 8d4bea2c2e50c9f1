namespace Mesh.Hub.Nodes.Join;

/// <summary>Persistence of one-time join tokens. Only a hash of each secret is stored.</summary>
public interface IJoinTokenStore
{
    Task AddAsync(JoinTokenInfo token, byte[] secretHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<JoinTokenInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks the token revoked; false if unknown or already revoked.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Checks the secret (constant time) and consumes one use atomically, before the caller looks at expiry or
    /// binding: of many concurrent attempts on a one-use token exactly one gets <see cref="ConsumeOutcome.Consumed"/>.
    /// </summary>
    Task<(ConsumeOutcome Outcome, JoinTokenInfo? Token)> TryConsumeAsync(string id, byte[] secretHash, DateTimeOffset now, CancellationToken cancellationToken);
}
