using Mesh.Hub.Storage;

namespace Mesh.Hub.Access;

/// <summary>UI accounts and UI-created API tokens in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class AccountStore(IHubDatabase database) : IAccountStore
{
    public async Task<UiUser?> GetUserAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT name, role, password_hash, created_at, failed_logins, locked_until FROM ui_users WHERE name = @name").With("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UiUser(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetInt32(4), reader.GetTimeOrNull(5))
            : null;
    }

    public async Task<IReadOnlyList<UiUser>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT name, role, password_hash, created_at, failed_logins, locked_until FROM ui_users ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var users = new List<UiUser>();
        while (await reader.ReadAsync(cancellationToken))
            users.Add(new UiUser(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetTime(3), reader.GetInt32(4), reader.GetTimeOrNull(5)));
        return users;
    }

    public async Task UpsertUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO ui_users (name, role, password_hash, created_at) VALUES (@name, @role, @hash, @now) " +
                "ON CONFLICT (name) DO UPDATE SET role = @role, password_hash = @hash, failed_logins = 0, locked_until = NULL, last_login_at = NULL")
            .With("name", name).With("role", role).With("hash", passwordHash).With("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> AddUserAsync(string name, string role, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO ui_users (name, role, password_hash, created_at) VALUES (@name, @role, @hash, @now) ON CONFLICT (name) DO NOTHING")
            .With("name", name).With("role", role).With("hash", passwordHash).With("now", now);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task RecordLoginAsync(string name, int failedLogins, DateTimeOffset? lockedUntil, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE ui_users SET failed_logins = @failed, locked_until = @until WHERE name = @name")
            .With("name", name).With("failed", failedLogins).With("until", lockedUntil);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordSuccessfulLoginAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE ui_users SET failed_logins = 0, locked_until = NULL, last_login_at = @now WHERE name = @name")
            .With("name", name).With("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> HasLoggedInAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT last_login_at FROM ui_users WHERE name = @name").With("name", name);
        // No row is null, a row never logged in is DBNull: only a stored time counts.
        return await command.ExecuteScalarAsync(cancellationToken) is not (null or DBNull);
    }

    public async Task<bool> SetPasswordAsync(string name, string passwordHash, bool used, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE ui_users SET password_hash = @hash, failed_logins = 0, locked_until = NULL, last_login_at = @used WHERE name = @name")
            .With("name", name).With("hash", passwordHash).With("used", used ? now : null);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteViewerAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM ui_users WHERE name = @name AND role = @role").With("name", name).With("role", Mesh.Hub.Web.AdminRoles.Viewer);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddTokenAsync(UiApiToken token, byte[] secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                "INSERT INTO ui_api_tokens (id, name, role, secret_hash, created_at, created_by, expires_at) VALUES (@id, @name, @role, @hash, @at, @by, @expires)")
            .With("id", token.Id).With("name", token.Name).With("role", token.Role).With("hash", secretHash)
            .With("at", token.CreatedAt).With("by", token.CreatedBy).With("expires", token.ExpiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(UiApiToken Token, byte[] SecretHash)?> GetTokenAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT id, name, role, created_at, created_by, last_used_at, revoked_at, expires_at, secret_hash FROM ui_api_tokens WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (ReadToken(reader), reader.GetFieldValue<byte[]>(8)) : null;
    }

    public async Task<IReadOnlyList<UiApiToken>> ListTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, name, role, created_at, created_by, last_used_at, revoked_at, expires_at FROM ui_api_tokens ORDER BY created_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new List<UiApiToken>();
        while (await reader.ReadAsync(cancellationToken))
            tokens.Add(ReadToken(reader));
        return tokens;
    }

    public async Task<bool> RevokeTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE ui_api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL").With("id", id).With("now", now);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task TouchTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE ui_api_tokens SET last_used_at = @now WHERE id = @id").With("id", id).With("now", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static UiApiToken ReadToken(System.Data.Common.DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetTime(3), r.GetString(4), r.GetTimeOrNull(5), r.GetTimeOrNull(6), r.GetTimeOrNull(7));
}
