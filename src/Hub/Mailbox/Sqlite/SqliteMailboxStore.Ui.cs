using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Sqlite;

/// <summary>Reads for the web UI: newest-first views (the inbox index serves them backwards).</summary>
public sealed partial class SqliteMailboxStore
{
    public Task<IReadOnlyList<MailboxMessage>> ReadLatestAsync(string actorId, int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<MailboxMessage>>(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {MessageColumns} FROM mailbox_messages WHERE to_actor = $actor ORDER BY id DESC LIMIT $limit";
            command.Set("$actor", actorId).Set("$limit", limit);
            return await ReadMessagesAsync(command, ct);
        }, cancellationToken);

    public Task<IReadOnlyList<PermissionReview>> ListRecentClosedReviewsAsync(int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<PermissionReview>>(async (connection, ct) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {ReviewColumns} FROM mailbox_reviews WHERE status IN ('answered', 'cancelled') ORDER BY id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$limit", limit);
            var reviews = new List<PermissionReview>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                reviews.Add(ReadReview(reader));
            return reviews;
        }, cancellationToken);
}
