using Mesh.Core.Configuration;
using Mesh.Hub.Audit;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Access;

/// <summary>
/// <c>mesh admin reset-password</c>: gives a UI account a new random password, straight in the hub's store (the hub
/// may be running: SQLite serializes the write, PostgreSQL is shared anyway), clears its lockout and audits it.
/// Whoever can read the hub's configuration and write its store may do this: that is the access control.
/// </summary>
public sealed class PasswordReset(IAccountStore store, IAuditLog audit, TimeProvider time)
{
    public const string AuditAction = "ui_user.password_reset";

    /// <summary>Why the reset cannot be done with this configuration, before any store is opened; null when it can.</summary>
    public static string? Refusal(MeshConfig config, string user)
    {
        if (user == RootAccountInitializer.RootUser && config.Admin.RootPasswordHash is not null)
            return "root's password comes from [admin] root_password_hash, which the hub applies at every start: put a new hash there (docs/operations.md shows how) or remove the key, then run this again.";
        var path = Path.Combine(config.Server.DataDir, StorageExtensions.DatabaseFileName);
        return config.Store.Kind == StoreKind.Sqlite && !File.Exists(path)
            ? $"{path} does not exist: start the hub once (mesh run --config …) so it creates its database and the root account."
            : null;
    }

    /// <summary>The new password, or why there is none (the caller prints it; nothing is logged).</summary>
    public async Task<(string? Password, string? Error)> ResetAsync(string user, string source, CancellationToken cancellationToken)
    {
        var password = PasswordHasher.NewPassword();
        if (!await store.SetPasswordAsync(user, PasswordHasher.Hash(password), used: false, time.GetUtcNow(), cancellationToken))
        {
            var known = (await store.ListUsersAsync(cancellationToken)).Select(u => u.Name).ToList();
            return (null, known.Count == 0
                ? $"no UI account '{DisplayText.Truncate(user)}': the store has no accounts yet (a hub creates root at its first start)."
                : $"no UI account '{DisplayText.Truncate(user)}' (accounts: {string.Join(", ", known)}).");
        }

        await audit.RecordAsync("cli", AuditAction, user, source, "new one-time password", cancellationToken);
        return (password, null);
    }
}
