using Mesh.Hub.Cluster;
using Mesh.Hub.Storage;

namespace Mesh.Hub.Nodes.Sessions.Routing;

/// <summary>A routed command's states. pending → sent → done | failed is the path; the others end it early.</summary>
internal static class CommandStates
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Done = "done";
    public const string Failed = "failed";

    /// <summary>The holder had no session for the node when it came to send it: never sent, the sender may route again.</summary>
    public const string Unroutable = "unroutable";

    /// <summary>The sender gave up (timeout, or the holder's lease expired) before the holder claimed it: never sent.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The holder claimed it and then restarted without a result: it may or may not have run.</summary>
    public const string Lost = "lost";
}

/// <summary>Who holds a session: the hub, its session generation, and until when that hub's lease runs (null: no lease row).</summary>
internal sealed record SessionHolder(string NodeId, string HubId, long Generation, DateTimeOffset? LeaseExpires);

internal sealed record RoutedCommand(string Id, string NodeId, string HubId, string State, byte[] Payload, byte[]? Result, string? Error, DateTimeOffset Deadline);

/// <summary>
/// The <c>node_sessions</c> and <c>node_commands</c> rows, each write announced on the cluster bus in its own
/// transaction (<see cref="SessionsChannel"/>, <see cref="CommandsChannel"/>, <see cref="DoneChannel"/>).
/// </summary>
internal sealed class RoutingStore(IHubDatabase database, IHubBus bus)
{
    /// <summary>A node id whose holder changed, or "*" for "re-read them all".</summary>
    public const string SessionsChannel = "sessions";

    /// <summary>The id of a command whose state changed to an end state.</summary>
    public const string DoneChannel = "commands.done";

    public const string Everything = "*";

    /// <summary>The channel on which hub <paramref name="hubId"/> hears the ids of commands waiting for it.</summary>
    public static string CommandsChannel(string hubId) => "commands." + hubId;

    public async Task HoldAsync(string nodeId, string hubId, long generation, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var hold = connection.Command(
                "INSERT INTO node_sessions (node_id, hub_id, generation, attached_at) VALUES (@node, @hub, @generation, @at) " +
                "ON CONFLICT (node_id) DO UPDATE SET hub_id = @hub, generation = @generation, attached_at = @at", transaction)
            .With("node", nodeId).With("hub", hubId).With("generation", generation).With("at", at))
            await hold.ExecuteNonQueryAsync(cancellationToken);
        await bus.PublishAsync(SessionsChannel, nodeId, transaction, cancellationToken);
        await bus.CommitAsync(transaction, cancellationToken);
    }

    public async Task ReleaseAsync(string nodeId, string hubId, long generation, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var release = connection.Command("DELETE FROM node_sessions WHERE node_id = @node AND hub_id = @hub AND generation = @generation", transaction)
            .With("node", nodeId).With("hub", hubId).With("generation", generation))
        {
            if (await release.ExecuteNonQueryAsync(cancellationToken) == 0)
                return;
        }

        await bus.PublishAsync(SessionsChannel, nodeId, transaction, cancellationToken);
        await bus.CommitAsync(transaction, cancellationToken);
    }

    /// <summary>
    /// A hub starting (again) holds no session and sends nothing: its old rows go, commands it never claimed are
    /// unroutable (never sent) and those it claimed are lost (may have run). Senders hear of each.
    /// </summary>
    public async Task ForgetHubAsync(string hubId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var sessions = connection.Command("DELETE FROM node_sessions WHERE hub_id = @hub", transaction).With("hub", hubId))
            await sessions.ExecuteNonQueryAsync(cancellationToken);
        var ended = new List<string>();
        foreach (var (from, to, error) in new[]
                 {
                     (CommandStates.Pending, CommandStates.Unroutable, $"hub '{hubId}' restarted before sending it"),
                     (CommandStates.Sent, CommandStates.Lost, $"hub '{hubId}' that held the session stopped; the command may or may not have run"),
                 })
        {
            await using var end = connection.Command(
                    "UPDATE node_commands SET state = @to, error = @error, finished_at = @now WHERE hub_id = @hub AND state = @from RETURNING id", transaction)
                .With("to", to).With("error", error).With("now", now).With("hub", hubId).With("from", from);
            await using var reader = await end.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                ended.Add(reader.GetString(0));
        }

        await bus.PublishAsync(SessionsChannel, Everything, transaction, cancellationToken);
        foreach (var id in ended)
            await bus.PublishAsync(DoneChannel, id, transaction, cancellationToken);
        await bus.CommitAsync(transaction, cancellationToken);
    }

    public async Task<SessionHolder?> HolderAsync(string nodeId, CancellationToken cancellationToken) =>
        await HoldersAsync(nodeId, cancellationToken) is [var holder, ..] ? holder : null;

    /// <summary>The holder of <paramref name="nodeId"/>'s session, or of every session when null.</summary>
    public async Task<IReadOnlyList<SessionHolder>> HoldersAsync(string? nodeId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command(
            "SELECT s.node_id, s.hub_id, s.generation, h.expires_at FROM node_sessions s LEFT JOIN hubs h ON h.id = s.hub_id" + (nodeId is null ? "" : " WHERE s.node_id = @node"));
        if (nodeId is not null)
            read.With("node", nodeId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var holders = new List<SessionHolder>();
        while (await reader.ReadAsync(cancellationToken))
            holders.Add(new SessionHolder(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetTimeOrNull(3)));
        return holders;
    }

    /// <summary>Writes a command for hub <paramref name="hubId"/> and tells it, in one transaction.</summary>
    public async Task AddAsync(string id, string nodeId, string hubId, string senderHubId, byte[] payload, DateTimeOffset now, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var add = connection.Command(
                "INSERT INTO node_commands (id, node_id, hub_id, sender_hub_id, payload, state, created_at, deadline) VALUES (@id, @node, @hub, @sender, @payload, @state, @now, @deadline)",
                transaction)
            .With("id", id).With("node", nodeId).With("hub", hubId).With("sender", senderHubId).With("payload", payload)
            .With("state", CommandStates.Pending).With("now", now).With("deadline", deadline))
            await add.ExecuteNonQueryAsync(cancellationToken);
        await bus.PublishAsync(CommandsChannel(hubId), id, transaction, cancellationToken);
        await bus.CommitAsync(transaction, cancellationToken);
    }

    /// <summary>pending → sent for hub <paramref name="hubId"/>: the one conditional write that lets a command be sent at most once.</summary>
    public async Task<RoutedCommand?> ClaimAsync(string id, string hubId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var claim = connection.Command(
                "UPDATE node_commands SET state = @sent WHERE id = @id AND hub_id = @hub AND state = @pending RETURNING id, node_id, hub_id, state, payload, result, error, deadline")
            .With("sent", CommandStates.Sent).With("id", id).With("hub", hubId).With("pending", CommandStates.Pending);
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Moves a command from <paramref name="from"/> to an end state and announces it; false if it was no longer in <paramref name="from"/>.</summary>
    public async Task<bool> EndAsync(string id, string from, string to, byte[]? result, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var end = connection.Command(
                "UPDATE node_commands SET state = @to, result = @result, error = @error, finished_at = @now WHERE id = @id AND state = @from", transaction)
            .With("to", to).With("result", result).With("error", error).With("now", now).With("id", id).With("from", from))
        {
            if (await end.ExecuteNonQueryAsync(cancellationToken) == 0)
                return false;
        }

        await bus.PublishAsync(DoneChannel, id, transaction, cancellationToken);
        await bus.CommitAsync(transaction, cancellationToken);
        return true;
    }

    public async Task<RoutedCommand?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT id, node_id, hub_id, state, payload, result, error, deadline FROM node_commands WHERE id = @id").With("id", id);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The ids of commands waiting for hub <paramref name="hubId"/> (after a missed notification).</summary>
    public async Task<IReadOnlyList<string>> PendingForAsync(string hubId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var read = connection.Command("SELECT id FROM node_commands WHERE hub_id = @hub AND state = @pending ORDER BY created_at")
            .With("hub", hubId).With("pending", CommandStates.Pending);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Deletes commands created before <paramref name="before"/>; their senders stopped waiting long ago.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var purge = connection.Command("DELETE FROM node_commands WHERE created_at < @before").With("before", before);
        return await purge.ExecuteNonQueryAsync(cancellationToken);
    }

    private static RoutedCommand Read(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader.GetValue(4),
            reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5), reader.GetStringOrNull(6), reader.GetTime(7));
}
