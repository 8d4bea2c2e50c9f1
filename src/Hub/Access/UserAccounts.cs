using Mesh.Core.Configuration;
using Mesh.Hub.Audit;
using Mesh.Hub.Web;

namespace Mesh.Hub.Access;

/// <summary>One UI account as the Access page lists it (no password hash).</summary>
public sealed record UserSummary(string Name, string Role);

/// <summary>The UI accounts: list them, create and remove viewers, change one's own password (checked, audited).</summary>
public sealed class UserAccounts(IAccountStore store, IAuditLog audit, MeshConfig config, TimeProvider time)
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

    /// <summary>Removes a viewer account (its sessions end at their next request); null when removed, else why not.</summary>
    public async Task<string?> RemoveViewerAsync(string name, string actor, string? source, CancellationToken cancellationToken)
    {
        if (!await store.DeleteViewerAsync(name, cancellationToken))
            return $"no viewer '{DisplayText.Truncate(name)}'";
        await audit.RecordAsync(actor, "ui_user.removed", name, source, "role=viewer", cancellationToken);
        return null;
    }

    /// <summary>Changes the signed-in user's own password after checking the current one; null when changed, else why not.</summary>
    public async Task<string?> ChangePasswordAsync(string name, string? current, string? next, string? source, CancellationToken cancellationToken)
    {
        if (await store.GetUserAsync(name, cancellationToken) is not { } user || current is null || !PasswordHasher.Verify(current, user.PasswordHash))
            return "The current password is wrong.";
        if (next is null || next.Length < MinPasswordLength)
            return $"The new password needs at least {MinPasswordLength} characters.";
        if (user.Name == RootAccountInitializer.RootUser && config.Admin.RootPasswordHash is not null)
            return "root's password comes from [admin] root_password_hash in the hub's configuration; change it there.";
        await store.SetPasswordAsync(name, PasswordHasher.Hash(next), used: true, time.GetUtcNow(), cancellationToken);
        await audit.RecordAsync(name, "ui_user.password_changed", name, source, null, cancellationToken);
        return null;
    }
}
