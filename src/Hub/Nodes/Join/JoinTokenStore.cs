using System.Security.Cryptography;
using Mesh.Hub.Storage;
using System.Data.Common;

namespace Mesh.Hub.Nodes.Join;

/// <summary>Join tokens (secrets as SHA-256 only) in the hub's database (SQLite or PostgreSQL).</summary>
internal sealed class JoinTokenStore(IHubDatabase database) : IJoinTokenStore
{
    private const string Columns = "id, created_at, expires_at, uses, uses_left, node_id, created_by, last_used_at, revoked_at";

    public async Task AddAsync(JoinTokenInfo token, byte[] secretHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command(
                $"INSERT INTO join_tokens (secret_hash, {Columns}) VALUES (@hash, @id, @created_at, @expires_at, @uses, @uses_left, @node_id, @created_by, NULL, NULL)")
            .With("hash", secretHash).With("id", token.Id).With("created_at", token.CreatedAt).With("expires_at", token.ExpiresAt)
            .With("uses", token.Uses).With("uses_left", token.UsesLeft).With("node_id", token.NodeId).With("created_by", token.CreatedBy);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<JoinTokenInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM join_tokens ORDER BY created_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tokens = new List<JoinTokenInfo>();
        while (await reader.ReadAsync(cancellationToken))
            tokens.Add(Read(reader, 0));
        return tokens;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command("UPDATE join_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL")
            .With("id", id).With("at", at);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<(ConsumeOutcome Outcome, JoinTokenInfo? Token)> TryConsumeAsync(string id, byte[] secretHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        byte[] storedHash;
        JoinTokenInfo token;
        await using (var select = connection.Command($"SELECT secret_hash, {Columns} FROM join_tokens WHERE id = @id").With("id", id))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                // Compare anyway so unknown ids and wrong secrets take the same time.
                CryptographicOperations.FixedTimeEquals(secretHash, new byte[secretHash.Length]);
                return (ConsumeOutcome.NotValid, null);
            }

            storedHash = reader.GetFieldValue<byte[]>(0);
            token = Read(reader, 1);
        }

        if (!CryptographicOperations.FixedTimeEquals(storedHash, secretHash))
            return (ConsumeOutcome.NotValid, null);
        if (token.RevokedAt is not null)
            return (ConsumeOutcome.Revoked, token);

        // One statement: SQLite serializes writers; on PostgreSQL the row lock makes concurrent callers (on this hub or
        // another) queue, and READ COMMITTED re-checks uses_left > 0 on the row as the one before left it.
        await using var consume = connection.Command(
                "UPDATE join_tokens SET uses_left = uses_left - 1, last_used_at = @now WHERE id = @id AND uses_left > 0 AND revoked_at IS NULL RETURNING uses_left")
            .With("id", id).With("now", now);
        var left = await consume.ExecuteScalarAsync(cancellationToken);
        return left is null
            ? (ConsumeOutcome.UsedUp, token)
            : (ConsumeOutcome.Consumed, token with { UsesLeft = Convert.ToInt32(left, System.Globalization.CultureInfo.InvariantCulture), LastUsedAt = now });
    }

    private static JoinTokenInfo Read(DbDataReader r, int o) => new(
        r.GetString(o), r.GetTime(o + 1), r.GetTime(o + 2), r.GetInt32(o + 3), r.GetInt32(o + 4), r.GetStringOrNull(o + 5),
        r.GetString(o + 6), r.GetTimeOrNull(o + 7), r.GetTimeOrNull(o + 8));
}
