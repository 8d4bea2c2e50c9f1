namespace Mesh.Hub.Access;

public sealed record UiUser(string Name, string Role, string PasswordHash, DateTimeOffset CreatedAt, int FailedLogins, DateTimeOffset? LockedUntil);

/// <param name="ExpiresAt">Null: never expires (chosen explicitly on the Access page).</param>
public sealed record UiApiToken(string Id, string Name, string Role, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt);

/// <summary>An API token just created on the Access page, with its secret (held for its creator only; <see cref="Web.RecentSecrets{T}"/>).</summary>
public sealed record CreatedApiToken(string Id, string Secret);

/// <summary>UI accounts and UI-created API tokens (token secrets stored as SHA-256 only).</summary>
public interface IAccountStore
{
    Task<UiUser?> GetUserAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<UiUser>> ListUsersAsync(CancellationToken cancellationToken);

    /// <summary>Creates the user or replaces its role and password hash (failure count reset; a new password counts as never used).</summary>
    Task UpsertUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Inserts the user; false if the name exists.</summary>
    Task<bool> AddUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken);

    Task RecordLoginAsync(string name, int failedLogins, DateTimeOffset? lockedUntil, CancellationToken cancellationToken);

    /// <summary>A login succeeded: failures cleared, the time kept (the start-up hint stops once a password was used).</summary>
    Task RecordSuccessfulLoginAsync(string name, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Whether the user ever logged in with its current password.</summary>
    Task<bool> HasLoggedInAsync(string name, CancellationToken cancellationToken);

    /// <summary>Changes a user's password hash only (its role stays); false when there is no such user.</summary>
    Task<bool> SetPasswordAsync(string name, string passwordHash, bool used, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes a viewer account (never root); false when there is no such viewer.</summary>
    Task<bool> DeleteViewerAsync(string name, CancellationToken cancellationToken);

    Task AddTokenAsync(UiApiToken token, byte[] secretHash, CancellationToken cancellationToken);

    Task<(UiApiToken Token, byte[] SecretHash)?> GetTokenAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<UiApiToken>> ListTokensAsync(CancellationToken cancellationToken);

    /// <summary>Marks the token revoked; false if unknown or already revoked.</summary>
    Task<bool> RevokeTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    Task TouchTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);
}
