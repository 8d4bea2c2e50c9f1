using Mesh.Hub.Access;
using Mesh.Hub.Audit;

namespace Mesh.Hub.Access;

public enum LoginOutcome
{
    Success,
    Invalid,
    LockedOut,
}

/// <summary>
/// Password logins with two brakes. Per source address and account (<see cref="LoginThrottle"/>): after 5 failures
/// that address waits 30 s, doubling to 15 minutes — a guesser locks out only itself. Per account, in the store:
/// after <see cref="AccountLockFailures"/> failures in a row from anywhere the account is locked for 15 minutes,
/// which bounds a guesser with many addresses. Unknown users cost the same hashing time.
/// </summary>
public sealed class LoginService(IAccountStore store, LoginThrottle throttle, IAuditLog audit, TimeProvider time)
{
    public const int AccountLockFailures = 100;
    private static readonly TimeSpan AccountLock = TimeSpan.FromMinutes(15);
    private static readonly string DummyHash = PasswordHasher.Hash("not-a-password");

    public async Task<(LoginOutcome Outcome, UiUser? User, TimeSpan RetryAfter)> LoginAsync(string name, string password, string? source, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = source ?? "unknown";
        var user = await store.GetUserAsync(name, cancellationToken);
        var wait = throttle.Wait(name, from);
        if (wait == TimeSpan.Zero && user?.LockedUntil is { } until && until > now)
            wait = until - now;
        if (wait > TimeSpan.Zero)
        {
            await audit.RecordAsync("anonymous", AuditActions.AuthFailed, DisplayText.Truncate(name), source, "ui login while locked out", cancellationToken);
            return (LoginOutcome.LockedOut, null, wait);
        }

        var ok = PasswordHasher.Verify(password, user?.PasswordHash ?? DummyHash) && user is not null;
        if (ok)
        {
            throttle.Reset(name, from);
            await store.RecordSuccessfulLoginAsync(user!.Name, now, cancellationToken);
            await audit.RecordAsync(user.Name, "ui.login", user.Name, source, null, cancellationToken);
            return (LoginOutcome.Success, user, TimeSpan.Zero);
        }

        await audit.RecordAsync("anonymous", AuditActions.AuthFailed, DisplayText.Truncate(name), source, "ui login: wrong user or password", cancellationToken);
        var sourceWait = throttle.RecordFailure(name, from);
        if (user is not null)
        {
            var failures = user.FailedLogins + 1;
            DateTimeOffset? accountLockedUntil = failures >= AccountLockFailures ? now + AccountLock : null;
            await store.RecordLoginAsync(user.Name, failures, accountLockedUntil, cancellationToken);
            if (accountLockedUntil is { } locked && locked - now > sourceWait)
                sourceWait = locked - now;
        }

        return sourceWait > TimeSpan.Zero ? (LoginOutcome.LockedOut, null, sourceWait) : (LoginOutcome.Invalid, null, TimeSpan.Zero);
    }
}
