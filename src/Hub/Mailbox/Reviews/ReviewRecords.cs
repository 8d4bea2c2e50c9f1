using Mesh.Core.Protocol;

namespace Mesh.Hub.Mailbox.Reviews;

/// <summary>A permission review to store.</summary>
public sealed record NewReview(string Asker, string? TeamId, string Title, string Details, IReadOnlyList<PermissionOption> Options, string? RunId);

/// <summary>Review statuses.</summary>
public static class ReviewStatus
{
    public const string Pending = "pending";
    public const string Answered = "answered";
    public const string Cancelled = "cancelled";
}
