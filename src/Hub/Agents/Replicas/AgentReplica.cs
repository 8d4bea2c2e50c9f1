namespace Mesh.Hub.Agents.Replicas;

/// <summary>
/// One extra replica of an agent (the agent itself is the first, ordinal 0, and is not stored here). A replica is a
/// full run of the agent's definition under its own name, which is also its actor (mailbox) id. Rows are never
/// deleted: a removed replica stays as <see cref="ReplicaStates.Removed"/> so its name is never given out again.
/// </summary>
/// <param name="Ordinal">Creation order within the agent, from 1; never reused.</param>
/// <param name="Rank">The scale-up that created it (all replicas of one scale call share a rank): the "age rank" of scale-down.</param>
/// <param name="NodeId">Where it runs; null while it waits for capacity.</param>
/// <param name="Revision">Bumped on each change of the replica itself (drain), added to the agent's revision in its spec.</param>
public sealed record AgentReplica(
    string Name,
    string AgentId,
    int Ordinal,
    int Rank,
    string? NodeId,
    string State,
    ulong Revision,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RemovedAt = null)
{
    public bool Live => State is ReplicaStates.Active or ReplicaStates.Draining;

    /// <summary>A row of name, agent_id, ordinal, rank, node_id, state, revision, created_at, removed_at (either backend).</summary>
    internal static AgentReplica FromRow(System.Data.Common.DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.GetString(5), (ulong)reader.GetInt64(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
            reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)));
}

public static class ReplicaStates
{
    /// <summary>Runs (or waits for capacity, with no node) and takes work.</summary>
    public const string Active = "active";

    /// <summary>Chosen by a scale-down: takes no new work, is stopped (SIGTERM, grace, SIGKILL), then removed.</summary>
    public const string Draining = "draining";

    /// <summary>Gone: its actor left the directory, its messages and runs are kept, its name is never reused.</summary>
    public const string Removed = "removed";
}
