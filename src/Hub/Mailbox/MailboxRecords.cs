using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox;

/// <summary>A message to store for one or more recipients (a team channel fans out).</summary>
public sealed record NewMessage(
    string From,
    IReadOnlyList<string> Recipients,
    string? TeamId,
    string? RunId,
    string Channel,
    string Payload,
    PayloadKind Kind,
    string? IdempotencyKey);

/// <summary>What Send stored, or (duplicate) what an earlier send with the same idempotency key stored.</summary>
public sealed record SendResult(IReadOnlyList<ulong> MessageIds, IReadOnlyList<string> Recipients, bool Duplicate, MessageStatus Status);

/// <summary>An inbox read.</summary>
public sealed record InboxQuery(string ActorId, int Limit, ulong AfterId, bool IncludeDelivered, string? RunId, string? Channel);

/// <summary>What an ack changed.</summary>
public sealed record AckResult(int Acked, int AlreadyDelivered);

/// <summary>A time trigger to store: a one-shot delay (no cron) or a cron schedule.</summary>
public sealed record NewTrigger(string ActorId, string CreatedBy, string? Cron, DateTimeOffset FirstDue, string Message, string Channel, string? RunId);

/// <summary>A permission review to store.</summary>
public sealed record NewReview(string Asker, string? TeamId, string Title, string Details, IReadOnlyList<PermissionOption> Options, string? RunId);

/// <summary>Review statuses.</summary>
public static class ReviewStatus
{
    public const string Pending = "pending";
    public const string Answered = "answered";
    public const string Cancelled = "cancelled";
}

/// <summary>Trigger statuses.</summary>
public static class TriggerStatus
{
    public const string Active = "active";
    public const string Done = "done";
    public const string Cancelled = "cancelled";
}
