namespace Mesh.Hub.Mailbox.Triggers;

/// <summary>A time trigger to store: a one-shot delay (no cron) or a cron schedule.</summary>
public sealed record NewTrigger(string ActorId, string CreatedBy, string? Cron, DateTimeOffset FirstDue, string Message, string Channel, string? RunId);

/// <summary>Trigger statuses.</summary>
public static class TriggerStatus
{
    public const string Active = "active";
    public const string Done = "done";
    public const string Cancelled = "cancelled";
}
