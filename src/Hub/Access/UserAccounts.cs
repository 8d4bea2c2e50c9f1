using Mesh.Core.Configuration;
using Mesh.Hub.Audit;
using Mesh.Hub.Web;

namespace Mesh.Hub.Access;

/// <summary>One UI account as the Access page lists it (no password hash).</summary>
public sealed record UserSummary(string Name, string Role);

/// <summary>The UI accounts the Access page manages: list them, create a viewer (checked, audited).</summary>
public sealed class UserAccounts(IAccountStore store, IAuditLog audit, TimeProvider time)
{
    public const int MinPasswordLength = 12;

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListUsersAsync(cancellationToken)).Select(u => new UserSummary(u.Name, u.Role))];

    /// <summary>Creates a viewer account; null when it was created, otherwise what is wrong, worded for the page.</summary>
    public async Task<string?> CreateViewerAsync(string? name, string? password, string actor, string? source, CancellationToken cancellationToken)
    {
        if (name is null || !NodeIds.IsValid(name, out _) || name == RootAccountInitializer.RootUser)
            return "User names are 2-64 characters of [A-Za-z0-9._-] (not 'root').";
        if (password is null || password.Length < MinPasswordLength)
            return $"The password needs at least {MinPasswordLength} characters.";
        if (!await store.AddUserAsync(name, AdminRoles.Viewer, PasswordHasher.Hash(password), time.GetUtcNow(), cancellationToken))
            return $"A user '{name}' already exists.";
        await audit.RecordAsync(actor, "ui_user.created", name, source, "role=viewer", cancellationToken);
        return null;
    }
}
