namespace Mesh.Hub.Access;

public sealed record UiUser(string Name, string Role, string PasswordHash, DateTimeOffset CreatedAt, int FailedLogins, DateTimeOffset? LockedUntil);

public sealed record UiApiToken(string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>UI accounts and UI-created API tokens (token secrets stored as SHA-256 only).</summary>
public interface IAccountStore
{
    Task<UiUser?> GetUserAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<UiUser>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Creates the user or replaces its role and password hash (failure count reset).</summary>
    Task UpsertUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Inserts the user; false if the name exists.</summary>
    Task<bool> AddUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task RecordLoginAsync(string name, int failedLogins, DateTimeOffset? lockedUntil, CancellationToken cancellationToken);

    Task AddTokenAsync(UiApiToken token, byte[] secretHash, CancellationToken cancellationToken);

    Task<(UiApiToken Token, byte[] SecretHash)?> GetTokenAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<UiApiToken>> ListTokensAsync(CancellationToken cancellationToken);

    /// <summary>Marks the token revoked; false if unknown or already revoked.</summary>
    Task<bool> RevokeTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    Task TouchTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);
}
