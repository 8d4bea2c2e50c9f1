using Mesh.Core.Configuration;
using Mesh.Hub.Audit;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Access;

/// <summary>
/// <c>mesh admin reset-password</c>: gives a UI account a new random password, straight in the hub's database (the
/// hub may be running: SQLite serializes the write), clears its lockout and audits it. Whoever can read the hub's
/// configuration and write its data folder may do this: the operating-system user is the access control.
/// </summary>
public static class PasswordReset
{
    public const string AuditAction = "ui_user.password_reset";

    /// <summary>The new password, or why there is none (the caller prints it; nothing is logged).</summary>
    public static async Task<(string? Password, string? Error)> ResetAsync(MeshConfig config, string user, string source, TimeProvider time, CancellationToken cancellationToken)
    {
        if (user == RootAccountInitializer.RootUser && config.Admin.RootPasswordHash is not null)
            return (null, "root's password comes from [admin] root_password_hash, which the hub applies at every start: put a new hash there (docs/operations.md shows how) or remove the key, then run this again.");
        var path = Path.Combine(config.Server.DataDir, StorageExtensions.DatabaseFileName);
        if (!File.Exists(path))
            return (null, $"{path} does not exist: start the hub once (mesh run --config …) so it creates its database and the root account.");
        var database = new HubDatabase(path, [new AccountMigrations(), new AuditMigrations()], time);
        await database.InitializeAsync(cancellationToken);
        var store = new SqliteAccountStore(database); // the reset works on the embedded SQLite store; a hub on PostgreSQL is not supported yet
        var password = PasswordHasher.NewPassword();
        if (!await store.SetPasswordAsync(user, PasswordHasher.Hash(password), used: false, time.GetUtcNow(), cancellationToken))
        {
            var known = string.Join(", ", (await store.ListUsersAsync(cancellationToken)).Select(u => u.Name));
            return (null, $"no UI account '{DisplayText.Truncate(user)}' (accounts: {known}).");
        }

        await new SqliteAuditLog(database, time).RecordAsync("cli", AuditAction, user, source, "new one-time password", cancellationToken);
        return (password, null);
    }
}
