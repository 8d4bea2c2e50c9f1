using Mesh.Hub.AdminApi;
using Mesh.Hub.Audit;

namespace Mesh.Hub.Web.Accounts;

public enum LoginOutcome
{
    Success,
    Invalid,
    LockedOut,
}

/// <summary>
/// Password logins with lockout and backoff: after <see cref="FreeFailures"/> failures an account is locked for
/// 30 s, doubling with each further failure up to 15 minutes. Unknown users cost the same hashing time.
/// </summary>
public sealed class LoginService(AccountStore store, IAuditLog audit, TimeProvider time)
{
    public const int FreeFailures = 5;
    private static readonly string DummyHash = PasswordHasher.Hash("not-a-password");

    public async Task<(LoginOutcome Outcome, UiUser? User, TimeSpan RetryAfter)> LoginAsync(string name, string password, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var user = await store.GetUserAsync(name, cancellationToken);
        if (user?.LockedUntil is { } until && until > now)
        {
            await audit.RecordAsync("anonymous", AuditActions.AuthFailed, name, source, "ui login while locked out", cancellationToken);
            return (LoginOutcome.LockedOut, null, until - now);
        }

        var ok = PasswordHasher.Verify(password, user?.PasswordHash ?? DummyHash) && user is not null;
        if (ok)
        {
            if (user!.FailedLogins > 0)
                await store.RecordLoginAsync(user.Name, 0, null, cancellationToken);
            await audit.RecordAsync(user.Name, "ui.login", user.Name, source, null, cancellationToken);
            return (LoginOutcome.Success, user, TimeSpan.Zero);
        }

        await audit.RecordAsync("anonymous", AuditActions.AuthFailed, DisplayText.Truncate(name), source, "ui login: wrong user or password", cancellationToken);
        if (user is null)
            return (LoginOutcome.Invalid, null, TimeSpan.Zero);
        var failures = user.FailedLogins + 1;
        DateTimeOffset? lockedUntil = failures >= FreeFailures
            ? now + TimeSpan.FromSeconds(Math.Min(900, 30 * Math.Pow(2, failures - FreeFailures)))
            : null;
        await store.RecordLoginAsync(user.Name, failures, lockedUntil, cancellationToken);
        return lockedUntil is { } l ? (LoginOutcome.LockedOut, null, l - now) : (LoginOutcome.Invalid, null, TimeSpan.Zero);
    }
}
