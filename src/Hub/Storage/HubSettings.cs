namespace Mesh.Hub.Storage;

/// <summary>A setting the first hub on a store records and every later start compares against.</summary>
public sealed record HubSetting(string Value, string SetBy, DateTimeOffset SetAt);

/// <summary>
/// Deployment-wide settings in the store (<c>hub_settings</c>): the first writer of a key wins, in one statement
/// (<c>ON CONFLICT DO NOTHING</c>), so hubs starting together against one database cannot record two values.
/// </summary>
public sealed class HubSettings(IHubDatabase database, TimeProvider time)
{
    /// <summary>Records <paramref name="value"/> for <paramref name="key"/> unless a value is there already; returns the one that stands.</summary>
    public async Task<HubSetting> ClaimAsync(string key, string value, string setBy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var insert = connection.Command("INSERT INTO hub_settings (key, value, set_by, set_at) VALUES (@key, @value, @by, @at) ON CONFLICT (key) DO NOTHING")
                         .With("key", key).With("value", value).With("by", setBy).With("at", time.GetUtcNow()))
            await insert.ExecuteNonQueryAsync(cancellationToken);
        await using var read = connection.Command("SELECT value, set_by, set_at FROM hub_settings WHERE key = @key").With("key", key);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new StoreException($"the store {database.Description} lost the setting '{key}' just written");
        return new HubSetting(reader.GetString(0), reader.GetString(1), reader.GetTime(2));
    }
}
