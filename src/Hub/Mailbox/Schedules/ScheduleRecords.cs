namespace Mesh.Hub.Mailbox.Schedules;

/// <summary>
/// A schedule of an agent: when it fires (5-field UTC cron, or every N seconds), who gets each fire (one live replica,
/// or every live replica), what the message says, and what to do about fire times that passed while the hub was not
/// running. <see cref="NextFire"/> is the first fire time not planned yet.
/// </summary>
public sealed record ScheduleDefinition(
    string Id,
    string AgentId,
    string? Cron,
    long? EveryMs,
    string Mode,
    string CatchUp,
    string Payload,
    string Channel,
    long LeaseMs,
    DateTimeOffset NextFire,
    DateTimeOffset CreatedAt)
{
    /// <summary>The message's idempotency key for one fire time: the same for every delivery of that fire.</summary>
    public string Key(DateTimeOffset fireTime) => $"schedule:{Id}:{fireTime.ToUnixTimeMilliseconds()}";

    /// <summary>The sender shown on a fire's message.</summary>
    public string Sender => "schedule:" + Id;

    public string When => Cron is not null ? "cron " + Cron : "every " + Core.Configuration.DurationText.Format(TimeSpan.FromMilliseconds(EveryMs ?? 0));
}

public static class ScheduleModes
{
    /// <summary>Each fire to exactly one live replica, claimed with a lease, redelivered to another if not acked in time.</summary>
    public const string Single = "single";

    /// <summary>Each fire to every replica live at fire time, once each.</summary>
    public const string Cluster = "cluster";

    public const string Once = "once";
    public const string Skip = "skip";
}

public static class FireStates
{
    /// <summary>single: planned, waiting for a live replica.</summary>
    public const string Open = "open";

    /// <summary>single: delivered to <see cref="FireRecord.Replica"/>, who holds the lease.</summary>
    public const string Claimed = "claimed";

    /// <summary>single: the replica acked the message.</summary>
    public const string Acked = "acked";

    /// <summary>cluster: delivered to every replica live at fire time.</summary>
    public const string Delivered = "delivered";

    /// <summary>cluster: no replica was live at fire time.</summary>
    public const string NoReplica = "no_replica";
}

/// <summary>One fire time of a schedule and where it went.</summary>
public sealed record FireRecord(string ScheduleId, DateTimeOffset FireTime, bool CatchUp, string State, string? Replica, long? MessageId,
    DateTimeOffset? LeaseUntil, int Attempts, IReadOnlyList<string> DeliveredTo);

/// <summary>Who may receive an agent's fires: implemented by the agents capability, which knows replicas and nodes.</summary>
public interface IScheduleTargets
{
    /// <summary>Whether the agent exists (a replica's name is not an agent).</summary>
    bool AgentExists(string agentId);

    /// <summary>The actor ids of the agent's runs that are live now: running, on an online node, not draining.</summary>
    IReadOnlyList<string> LiveRecipients(string agentId);
}
